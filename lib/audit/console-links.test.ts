import { describe, expect, it } from "vitest";
import { actorToggleHref, chartDrillHref, isActorPicked, routineHref, toggleHref } from "./console-links";

const q = (text: string) => new URLSearchParams(text);
const params = (href: string) => new URL(href, "http://portal.test").searchParams;

describe("audit console links", () => {
  it("toggles a facet value and starts from the first page", () => {
    expect(toggleHref(q("action=events.list&cursor=abc"), "action", "events.reveal")).toBe("/audit?action=events.list&action=events.reveal");
    expect(toggleHref(q("action=events.list&action=events.reveal"), "action", "events.list")).toBe("/audit?action=events.reveal");
    expect(toggleHref(q("action=events.list"), "action", "events.list")).toBe("/audit");
  });

  it("filters an actor by person id, anonymous, or an unlisted email", () => {
    const id = "6f2e0000-0000-4000-8000-000000000001";
    expect(actorToggleHref(q(""), id)).toBe(`/audit?person=${id}`);
    expect(actorToggleHref(q(""), "anonymous")).toBe("/audit?person=anonymous");
    expect(params(actorToggleHref(q(""), "email:x@y.example")).get("actor")).toBe("x@y.example");
    expect(isActorPicked(q("actor=x@y.example"), "email:x@y.example")).toBe(true);
    expect(actorToggleHref(q("actor=x@y.example"), "email:x@y.example")).toBe("/audit");
  });

  it("shows routine rows with one parameter, and hides them by dropping it", () => {
    expect(routineHref(q("outcome=denied"), true)).toBe("/audit?outcome=denied&routine=show");
    expect(routineHref(q("outcome=denied&routine=show"), false)).toBe("/audit?outcome=denied");
  });

  it("drills down from a chart: the metric's own action and outcome, the person, the bucket cut to the range", () => {
    const href = chartDrillHref(q("action=events.list&purpose=other&cursor=x"), "exports", {
      person: "email:x@y.example",
      within: { from: "2026-11-01T09:30:00.000Z", to: "2026-11-30T15:00:00.000Z" },
      bucket: { start: "2026-11-01T00:00:00.000Z", unit: "day" },
    });
    const drilled = params(href);
    expect(drilled.getAll("action")).toEqual(["events.export", "audit.export", "admin.access_export"]);
    expect(drilled.getAll("outcome")).toEqual(["allowed"]);
    expect(drilled.get("purpose")).toBe("other");
    expect(drilled.get("actor")).toBe("x@y.example");
    expect(drilled.get("from")).toBe("2026-11-01T09:30:00.000Z");
    expect(drilled.get("to")).toBe("2026-11-01T23:59:59.999Z");
    expect(drilled.has("cursor")).toBe(false);
    const denials = params(chartDrillHref(q(""), "denials", { within: { from: "2026-11-01T00:00:00.000Z", to: "2026-11-30T00:00:00.000Z" } }));
    expect(denials.getAll("action")).toEqual([]);
    expect(denials.getAll("outcome")).toEqual(["denied"]);
  });
});
