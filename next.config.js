// @ts-check
/** @type {import("next").NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // PGlite ships WebAssembly and data files that must be loaded from
  // node_modules at run time, not bundled.
  serverExternalPackages: ["@electric-sql/pglite", "pglite-prisma-adapter", "oidc-provider", "pg", "pg-copy-streams", "pino", "prom-client", "pg-boss"],
  typedRoutes: false,
  // Otherwise NextRequest.url turns a loopback host (127.x.x.x, [::1]) into "localhost": Auth.js
  // then built its callback URL on localhost and the token exchange failed (invalid_grant)
  // whenever PORTAL_URL was http://127.0.0.1:PORT. (Its other effect, /_next/data URL
  // rewriting, concerns only the pages router.)
  skipProxyUrlNormalize: true,
  // forbidden() renders app/forbidden.tsx with a real 403 status.
  experimental: { authInterrupts: true },
  async headers() {
    return [
      {
        // Everything the portal serves is private: no shared cache may keep it.
        source: "/:path*",
        headers: [
          { key: "Cache-Control", value: "private, no-store, max-age=0" },
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "Referrer-Policy", value: "no-referrer" },
          { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
        ],
      },
    ];
  },
};

export default nextConfig;
