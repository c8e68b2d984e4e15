import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { API_ROUTE_METHODS, matchApiRoute } from "./api-routes";

const APP = path.resolve(import.meta.dirname, "../../app");
const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/** Every route file under `dir` and the methods it exports, read from disk as Next.js routes them. */
function routesOnDisk(dir: string): Record<string, string[]> {
  const routes: Record<string, string[]> = {};
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) Object.assign(routes, routesOnDisk(full));
    else if (/^route\.(ts|tsx|js)$/.test(entry.name)) {
      const source = fs.readFileSync(full, "utf8");
      const route = `/${path.relative(APP, dir).split(path.sep).join("/")}`;
      routes[route] = METHODS.filter((method) => new RegExp(`export\\s+(async\\s+)?function\\s+${method}\\b|export\\s+const\\s+${method}\\b`).test(source));
    }
  }
  return routes;
}

describe("the API's routes, as the HTTP front knows them", () => {
  it("are exactly the route files under app/api/v1, app/v2 and app/scim/v2 and the methods they export", () => {
    expect(API_ROUTE_METHODS).toEqual({ ...routesOnDisk(path.join(APP, "api/v1")), ...routesOnDisk(path.join(APP, "v2")), ...routesOnDisk(path.join(APP, "scim/v2")) });
  });

  it("match a path segment by segment, static segments before dynamic ones", () => {
    expect(matchApiRoute("/api/v1/me")).toEqual({ route: "/api/v1/me", allowed: ["GET", "HEAD", "OPTIONS"] });
    expect(matchApiRoute("/api/v1/events/export")?.route).toBe("/api/v1/events/export");
    expect(matchApiRoute("/api/v1/events/0b7c4a1e-0000-4000-8000-000000000000")?.route).toBe("/api/v1/events/[id]");
    expect(matchApiRoute("/api/v1/events/x/reveal")).toEqual({ route: "/api/v1/events/[id]/reveal", allowed: ["OPTIONS", "POST"] });
  });

  it("match nothing for unknown paths, extra segments or an empty dynamic segment", () => {
    for (const path of ["/api/v1/nothing", "/api/v1/events/x/y", "/api/v1/events/x/reveal/more", "/api/v1/events//reveal", "/api/v2/events", "/api"]) {
      expect(matchApiRoute(path), path).toBeNull();
    }
  });
});
