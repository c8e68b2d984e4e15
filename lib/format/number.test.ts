import { describe, expect, it } from "vitest";
import { formatCompact, formatCount, formatNumber, formatPercent } from "./number";

describe("number formats", () => {
  it("groups counts the same on server and browser", () => {
    expect(formatCount(20000)).toBe("20,000");
    expect(formatCount(12345678901234567890n)).toBe("12,345,678,901,234,567,890");
  });
  it("fixes a percentage's decimals", () => {
    expect(formatPercent(0.4231)).toBe("42.3%");
    expect(formatPercent(0.4, 0)).toBe("40%");
  });
  it("drops trailing zeros and abbreviates axis labels", () => {
    expect(formatNumber(0.25)).toBe("0.25");
    expect(formatNumber(1250.5)).toBe("1,250.5");
    expect(formatCompact(950)).toBe("950");
    expect(formatCompact(1500)).toBe("1.5k");
    expect(formatCompact(12000)).toBe("12k");
    expect(formatCompact(1_200_000)).toBe("1.2M");
  });
});
