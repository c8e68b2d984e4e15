import { describe, expect, it } from "vitest";
import { getMetrics, routeLabel } from "./metrics";

describe("routeLabel", () => {
  it("keeps route words and turns every other segment into :id, so labels stay few", () => {
    expect(routeLabel("/api/v1/events/0b6f4f0e-3c4e-4a51-9a43-8b1d1e2a9c11/reveal")).toBe("/api/v1/events/:id/reveal");
    expect(routeLabel("/api/v1/audit/123456789?x=1")).toBe("/api/v1/audit/:id");
    expect(routeLabel("/events?os=linux")).toBe("/events");
    expect(routeLabel("/")).toBe("/");
    expect(routeLabel("/_next/static/chunks/app.js")).toBe("/_next");
  });

  it("never echoes what a client made up: unknown paths are 'other', unknown segments ':id'", () => {
    expect(routeLabel("/wp-admin/setup.php")).toBe("other");
    expect(routeLabel("/events/<script>alert(1)<%2Fscript>")).toBe("/events/:id");
    expect(routeLabel("/api/v1/someone@example.com")).toBe("/api/v1/:id");
    const labels = new Set(Array.from({ length: 500 }, (_, index) => routeLabel(`/api/v1/x${index}/y${index}`)));
    expect(labels.size).toBe(1);
  });
});

describe("getMetrics", () => {
  it("is one registry per process, with the portal's metrics in Prometheus text", async () => {
    const metrics = getMetrics();
    expect(getMetrics()).toBe(metrics);
    metrics.intakeEvents.inc({ endpoint: "/v2/track", result: "accepted" }, 3);
    const text = await metrics.registry.metrics();
    expect(text).toContain('portal_intake_events_total{endpoint="/v2/track",result="accepted"} 3');
    for (const name of ["portal_http_requests_total", "portal_http_request_duration_seconds", "portal_audit_rows_written_total", "portal_audit_write_failures_total", "portal_job_queue_depth", "portal_siem_rows_delivered_total", "portal_siem_delivery_failures_total", "portal_siem_lag_rows", "portal_siem_lag_seconds"]) {
      expect(text).toContain(`# TYPE ${name}`);
    }
  });
});
