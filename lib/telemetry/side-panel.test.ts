import { describe, expect, it } from "vitest";
import { pagePosition, panelHref, panelNeighbours, splitPanelParams } from "./side-panel";

describe("the side panel in the URL", () => {
  it("takes `open` out of the list's parameters", () => {
    expect(splitPanelParams({ os: "linux", open: "abc" })).toEqual({ list: { os: "linux" }, open: { kind: "id", id: "abc" } });
    expect(splitPanelParams({ os: "linux" })).toEqual({ list: { os: "linux" }, open: null });
    expect(splitPanelParams({ open: "first" }).open).toEqual({ kind: "first" });
    expect(splitPanelParams({ open: ["a", "b"] }).open).toEqual({ kind: "invalid" });
    expect(splitPanelParams({ open: " " }).open).toEqual({ kind: "invalid" });
  });

  it("keeps the list's filters, sort and page in the panel's link, with no empty parameters", () => {
    const href = panelHref("os=linux&sort=latency_desc&cursor=xyz", "e1");
    expect(href).toBe("/events?os=linux&sort=latency_desc&cursor=xyz&open=e1");
    expect(panelHref("", "e1")).toBe("/events?open=e1");
    expect(panelHref("open=old&os=linux", "e2")).toBe("/events?os=linux&open=e2");
    expect(href).not.toMatch(/=(&|$)/);
  });

  it("walks the page's rows, and across the page edge into the neighbouring page", () => {
    const ids = ["a", "b", "c"];
    const pages = { previousPageQuery: "cursor=P", nextPageQuery: "cursor=N" };
    expect(panelNeighbours(ids, "b", "os=linux", pages)).toEqual({ index: 2, previous: "/events?os=linux&open=a", next: "/events?os=linux&open=c" });
    expect(panelNeighbours(ids, "a", "os=linux", pages).previous).toBe("/events?cursor=P&open=last");
    expect(panelNeighbours(ids, "c", "os=linux", pages).next).toBe("/events?cursor=N&open=first");
    expect(panelNeighbours(ids, "a", "", { previousPageQuery: null, nextPageQuery: null }).previous).toBeNull();
    expect(panelNeighbours(ids, "zzz", "", pages)).toEqual({ index: null, previous: null, next: null });
  });

  it("says where the page is", () => {
    expect(pagePosition(50, 50)).toBe("Rows 51–100");
    expect(pagePosition(0, 7)).toBe("Rows 1–7");
    expect(pagePosition(1000, 500)).toBe("Rows 1,001–1,500");
    expect(pagePosition(null, 50)).toBeNull();
    expect(pagePosition(0, 0)).toBeNull();
  });
});
