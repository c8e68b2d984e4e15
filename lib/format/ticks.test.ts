import { describe, expect, it } from "vitest";
import { categoryAxisWidth, niceScale, niceStep, tickDecimals, truncateLabel } from "./ticks";

describe("niceScale", () => {
  it("gives round percentage ticks (0/10/20/30/40 %), not 0/10/19/28/38 %", () => {
    expect(niceScale(0, 0.38).ticks).toEqual([0, 0.1, 0.2, 0.3, 0.4]);
  });
  it("ends at or above the maximum and starts at or below the minimum", () => {
    const scale = niceScale(3, 97);
    expect(scale.ticks).toEqual([0, 25, 50, 75, 100]);
    expect(scale.min).toBeLessThanOrEqual(3);
    expect(scale.max).toBeGreaterThanOrEqual(97);
  });
  it("uses steps of 1, 2, 2.5 or 5 × 10ⁿ", () => {
    for (const [span, count] of [[7, 4], [1234, 5], [0.0042, 4], [88_000, 4]] as const) {
      const step = niceStep(span, count);
      const mantissa = step / 10 ** Math.floor(Math.log10(step));
      expect([1, 2, 2.5, 5]).toContain(Number(mantissa.toFixed(6)));
    }
  });
  it("keeps counts on whole numbers", () => {
    expect(niceScale(0, 3, { integer: true }).ticks).toEqual([0, 1, 2, 3]);
    expect(niceScale(0, 1234, { integer: true }).ticks).toEqual([0, 500, 1000, 1500]);
    expect(niceScale(0, 10, { integer: true }).ticks).toEqual([0, 2, 4, 6, 8, 10]);
  });
  it("draws an axis for an empty or flat series", () => {
    expect(niceScale(0, 0).ticks).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(niceScale(40, 40, { integer: true }).ticks).toEqual([0, 10, 20, 30, 40]);
  });
  it("stays within a clamp (a ratio never goes past 100 %)", () => {
    expect(niceScale(0, 0.97, { clamp: [0, 1] }).ticks).toEqual([0, 0.25, 0.5, 0.75, 1]);
  });
  it("has no floating-point noise in the ticks", () => {
    for (const tick of niceScale(0, 0.7).ticks) expect(String(tick)).toMatch(/^\d+(\.\d{1,2})?$/);
  });
});

describe("axis labels", () => {
  it("needs as many decimals as the step", () => {
    expect(tickDecimals(10)).toBe(0);
    expect(tickDecimals(2.5)).toBe(1);
    expect(tickDecimals(0.25)).toBe(2);
  });
  it("makes a category axis wide enough for its longest label, so none is clipped", () => {
    const labels = ["network.timeout", "network.certificate_error", "auth.expired"];
    const width = categoryAxisWidth(labels);
    for (const label of labels) expect(truncateLabel(label, width)).toBe(label);
    expect(width).toBeLessThanOrEqual(200);
  });
  it("shortens with an ellipsis at the end (never loses the start) past the maximum", () => {
    const label = "network.certificate_error_with_a_very_long_suffix";
    const width = categoryAxisWidth([label], { max: 120 });
    expect(width).toBe(120);
    const shown = truncateLabel(label, width);
    expect(shown.endsWith("…")).toBe(true);
    expect(label.startsWith(shown.slice(0, -1))).toBe(true);
  });
});
