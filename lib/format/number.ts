// The portal's number formats, one place: counts with thousands separators,
// percentages with a fixed number of decimals, compact axis labels. Safe on
// both sides; en-US grouping everywhere so server and browser render alike.

const COUNT = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/** 20,000 (a count: whole, grouped; a bigint too) */
export function formatCount(value: number | bigint): string {
  return COUNT.format(value);
}

/** 0.4231 → "42.3%" (digits after the point, fixed) */
export function formatPercent(ratio: number, digits = 1): string {
  return `${(ratio * 100).toFixed(digits)}%`;
}

/** A number for an axis or a cell: grouped, at most `digits` decimals, no trailing zeros (1,250.5; 0.25; 3). */
export function formatNumber(value: number, digits = 2): string {
  return new Intl.NumberFormat("en-US", { maximumFractionDigits: digits }).format(value);
}

/** A short axis label: 950, 1.5k, 12k, 1.2M. */
export function formatCompact(value: number): string {
  const abs = Math.abs(value);
  if (abs < 1000) return formatNumber(value);
  const [divisor, unit] = abs >= 1e9 ? [1e9, "B"] : abs >= 1e6 ? [1e6, "M"] : [1e3, "k"];
  return `${formatNumber(value / divisor, 1)}${unit}`;
}
