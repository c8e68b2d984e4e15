import { describe, expect, it } from "vitest";
import { navigationLabel, pendingNavigationTarget, urlKey } from "./navigation-pending";

const HERE = "http://portal.test/events?os=linux&range=7d";

describe("which navigations show the pending state", () => {
  it("counts a link to another page or another query of the portal", () => {
    expect(pendingNavigationTarget("/events/insights?os=linux", HERE)?.pathname).toBe("/events/insights");
    expect(pendingNavigationTarget("/events?os=linux&range=24h", HERE)?.search).toBe("?os=linux&range=24h");
    expect(pendingNavigationTarget("?os=linux", HERE)?.pathname).toBe("/events");
  });

  it("ignores a link to the page on screen, or to a #fragment of it (nothing loads, and nothing would end the state)", () => {
    expect(pendingNavigationTarget("/events?os=linux&range=7d", HERE)).toBeNull();
    expect(pendingNavigationTarget("/events?os=linux&range=7d#results", HERE)).toBeNull();
    expect(pendingNavigationTarget("#results", HERE)).toBeNull();
  });

  it("ignores other origins, API routes (downloads, JSON) and what is not a URL", () => {
    expect(pendingNavigationTarget("https://elsewhere.test/events", HERE)).toBeNull();
    expect(pendingNavigationTarget("/api/v1/events/export?os=linux", HERE)).toBeNull();
    expect(pendingNavigationTarget("http://[bad", HERE)).toBeNull();
  });

  it("keys a page by its path and query", () => {
    expect(urlKey("/events", "")).toBe("/events");
    expect(urlKey("/events", "os=linux")).toBe("/events?os=linux");
  });
});

describe("what the pending state says", () => {
  it("names the page that loads", () => {
    expect(navigationLabel("/events")).toBe("Loading events…");
    expect(navigationLabel("/events/insights")).toBe("Loading the charts…");
    expect(navigationLabel("/events/views")).toBe("Loading saved views…");
    expect(navigationLabel("/events/0193f1f2-0000-7000-8000-000000000001")).toBe("Loading the event…");
    expect(navigationLabel("/audit/alerts")).toBe("Loading the audit trail…");
    expect(navigationLabel("/admin")).toBe("Loading the page…");
  });
});
