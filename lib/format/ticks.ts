// "Nice" axis ticks: multiples of 1, 2, 2.5 or 5 × 10ⁿ, starting at a multiple
// of the step at or below the data's minimum and ending at or above its
// maximum, so a percentage axis reads 0/10/20/30/40 % rather than
// 0/10/19/28/38 %. Safe on both sides.

export type NiceScale = { min: number; max: number; step: number; ticks: number[] };

const STEPS = [1, 2, 2.5, 5, 10] as const;

/** The nice step for a span split into about `count` intervals. */
export function niceStep(span: number, count: number): number {
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / Math.max(1, count);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / magnitude;
  const nice = STEPS.find((step) => fraction <= step) ?? 10;
  return nice * magnitude;
}

/** Digits after the point that `step` needs (0.25 → 2, 5 → 0). */
function decimalsOf(step: number): number {
  for (let digits = 0; digits < 12; digits++) if (Math.abs(Math.round(step * 10 ** digits) - step * 10 ** digits) < 1e-9) return digits;
  return 12;
}

/**
 * Ticks from `min` to `max` in about `count` intervals (4 by default). An
 * empty or flat range still gets an axis: [0, 1] when both are 0, else a
 * range around the value. `integer`: steps of at least 1 (counts).
 * `clamp`: never go beyond these bounds (a ratio's [0, 1]).
 */
export function niceScale(min: number, max: number, options: { count?: number; integer?: boolean; clamp?: readonly [number, number] } = {}): NiceScale {
  const { count = 4, integer = false, clamp } = options;
  let low = Number.isFinite(min) ? min : 0;
  let high = Number.isFinite(max) ? max : 0;
  if (low > high) [low, high] = [high, low];
  if (low === high) {
    if (high === 0) high = 1;
    else if (high > 0) low = 0;
    else high = 0;
  }
  let step = niceStep(high - low, count);
  // whole steps for counts: 2.5 would give 2.5-event ticks, and rounding it up to 3 is not a nice step, so 2
  if (integer) step = step < 1 ? 1 : Number.isInteger(step) ? step : Math.floor(step);
  const decimals = decimalsOf(step);
  const round = (value: number) => Number(value.toFixed(decimals));
  let start = round(Math.floor(low / step + 1e-9) * step);
  let end = round(Math.ceil(high / step - 1e-9) * step);
  if (clamp) {
    start = Math.max(clamp[0], start);
    end = Math.min(clamp[1], end);
  }
  const ticks: number[] = [];
  for (let value = start; value <= end + step * 1e-9; value = round(value + step)) ticks.push(value);
  return { min: start, max: end, step, ticks };
}

/** Digits after the point a tick label needs at this step (0.25 → 2; 5 → 0); for a percentage pass the step × 100. */
export function tickDecimals(step: number): number {
  return Math.min(6, decimalsOf(Math.abs(step)));
}

/** Average width of a 12px system-font character, and what an axis adds (tick line, gap). */
const CHAR_PX = 7;
const AXIS_PAD_PX = 14;

/**
 * The width a category axis needs so no label is clipped (12px labels):
 * the longest label, within `min`..`max` px. Labels longer than `max` allows
 * are shortened by truncateLabel, never cut at the chart's edge.
 */
export function categoryAxisWidth(labels: readonly string[], bounds: { min?: number; max?: number } = {}): number {
  const { min = 48, max = 200 } = bounds;
  const longest = labels.reduce((length, label) => Math.max(length, label.length), 0);
  return Math.max(min, Math.min(max, Math.ceil(longest * CHAR_PX + AXIS_PAD_PX)));
}

/** A label shortened with "…" at the end to fit `width` px (as categoryAxisWidth measures). */
export function truncateLabel(label: string, width: number): string {
  const fits = Math.max(4, Math.floor((width - AXIS_PAD_PX) / CHAR_PX));
  return label.length <= fits ? label : `${label.slice(0, fits - 1)}…`;
}
