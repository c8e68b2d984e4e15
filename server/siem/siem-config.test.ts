import { describe, expect, it } from "vitest";
import { parseEnv } from "@/server/config/env";
import { configuredSinks, createConfiguredSinks } from "./siem-config";

describe("the configured SIEM sinks", () => {
  it("are none by default", () => {
    expect(configuredSinks(parseEnv({}))).toEqual([]);
    expect(createConfiguredSinks(parseEnv({}))).toEqual([]);
  });

  it("name each sink and its destination without a token, a query or brackets lost", () => {
    const env = parseEnv({
      SIEM_SYSLOG_URL: "tls://[2001:db8::5]:6514",
      SIEM_HEC_URL: "https://splunk.example.com:8088/services/collector/event?channel=secret-looking",
      SIEM_HEC_TOKEN: "super-secret-token",
      SIEM_HEC_NAME: "splunk",
    });
    expect(configuredSinks(env)).toEqual([
      { name: "syslog", kind: "syslog", destination: "tls://[2001:db8::5]:6514" },
      { name: "splunk", kind: "hec", destination: "https://splunk.example.com:8088/services/collector/event" },
    ]);
    const sinks = createConfiguredSinks(env);
    expect(sinks.map((sink) => [sink.name, sink.kind, sink.destination])).toEqual([
      ["syslog", "syslog", "tls://[2001:db8::5]:6514"],
      ["splunk", "hec", "https://splunk.example.com:8088/services/collector/event"],
    ]);
    expect(JSON.stringify(sinks)).not.toContain("super-secret-token");
    for (const sink of sinks) sink.close();
  });

  it("turn an unreadable CA file into a sink that fails each delivery naming the file", async () => {
    const [sink] = createConfiguredSinks(parseEnv({ SIEM_SYSLOG_URL: "tls://siem.internal:6514", SIEM_SYSLOG_CA_FILE: "/nonexistent/ca.pem" }));
    await expect(sink?.deliver([])).rejects.toThrow("SIEM_SYSLOG_CA_FILE (/nonexistent/ca.pem) cannot be read: ENOENT");
  });
});
