import path from "node:path";
import { defineConfig } from "vitest/config";

const alias = { "@": path.resolve(import.meta.dirname), "server-only": path.resolve(import.meta.dirname, "test/server-only-stub.ts") };

// Two projects: fast unit tests, and integration tests against real databases
// (the embedded PGlite always; PostgreSQL too when TEST_DATABASE_URL is set).
export default defineConfig({
  test: {
    projects: [
      {
        resolve: { alias },
        test: { name: "unit", include: ["**/*.test.ts"], exclude: ["**/*.integration.test.ts", "node_modules/**", "e2e/**", ".next/**"], environment: "node" },
      },
      {
        resolve: { alias },
        test: {
          name: "integration",
          include: ["**/*.integration.test.ts"],
          exclude: ["node_modules/**", "e2e/**", ".next/**"],
          environment: "node",
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // PGlite is single-writer and wasm-heavy; files run one at a time on 2 cores.
          fileParallelism: false,
        },
      },
    ],
  },
});
