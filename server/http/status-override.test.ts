import { describe, expect, it } from "vitest";
import { overrideStatus, takeStatusOverride } from "./status-override";

describe("status overrides", () => {
  it("are taken once, for their own request only", () => {
    overrideStatus("request-a", { status: 503, retryAfterSeconds: 5 });
    expect(takeStatusOverride("request-b")).toBeUndefined();
    expect(takeStatusOverride("request-a")).toEqual({ status: 503, retryAfterSeconds: 5 });
    expect(takeStatusOverride("request-a")).toBeUndefined();
  });

  it("keep only the newest 10,000 that nobody takes (recorded outside the HTTP front, e.g. by scripts)", () => {
    for (let index = 0; index < 10_050; index += 1) overrideStatus(`orphan-${index}`, { status: 503, retryAfterSeconds: 5 });
    expect(takeStatusOverride("orphan-0")).toBeUndefined();
    expect(takeStatusOverride("orphan-49")).toBeUndefined();
    expect(takeStatusOverride("orphan-50")).toBeDefined();
    expect(takeStatusOverride("orphan-10049")).toBeDefined();
    for (let index = 51; index < 10_049; index += 1) takeStatusOverride(`orphan-${index}`);
  });
});
