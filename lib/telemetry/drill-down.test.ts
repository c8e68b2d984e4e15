import { describe, expect, it } from "vitest";
import { drillDownHref } from "./drill-down";

const params = (href: string) => new URL(href, "https://portal.example").searchParams;

describe("drillDownHref", () => {
  it("lists one whole day of one kind, keeping the other filters and dropping the range", () => {
    const href = drillDownHref("range=30d&kind=completion_shown&editor=vscode", "2026-11-20T00:00:00.000Z", { bucket: "day", from: "2026-10-31T09:15:00.000Z", to: null }, "completion_accepted");
    const p = params(href);
    expect(href.startsWith("/events?")).toBe(true);
    expect(p.get("range")).toBeNull();
    expect(p.getAll("kind")).toEqual(["completion_accepted"]);
    expect(p.get("editor")).toBe("vscode");
    expect(p.get("from")).toBe("2026-11-20T00:00:00.000Z");
    expect(p.get("to")).toBe("2026-11-21T00:00:00.000Z");
  });

  it("clamps the partial first bucket to the window's start, so the list counts what the bar counted", () => {
    const p = params(drillDownHref("range=7d", "2026-11-24T00:00:00.000Z", { bucket: "day", from: "2026-11-24T07:52:46.120Z", to: null }, "completion_shown"));
    expect(p.get("from")).toBe("2026-11-24T07:52:46.120Z");
    expect(p.get("to")).toBe("2026-11-25T00:00:00.000Z");
  });

  it("clamps the partial last bucket to the window's end", () => {
    const p = params(drillDownHref("from=2026-11-30T10:00:00Z&to=2026-11-30T12:30:00Z", "2026-11-30T12:00:00.000Z", { bucket: "hour", from: "2026-11-30T10:00:00.000Z", to: "2026-11-30T12:30:00.000Z" }, "completion_requested"));
    expect(p.get("from")).toBe("2026-11-30T12:00:00.000Z");
    expect(p.get("to")).toBe("2026-11-30T12:30:00.000Z");
  });
});
