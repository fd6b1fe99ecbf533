import { readFileSync } from "node:fs";
import { prometheusText, summarizeTelemetry } from "@vaultops/core";
import { describe, expect, it } from "vitest";

/** The shipped Prometheus rules and Grafana dashboard may only name series that vaultops exports. */
const exported = new Set(
  [
    ...prometheusText({
      totals: {
        values: new Map([
          ["n|kv_read|ok", 1],
          ["b|kv_read|0", 1],
          ["ms|kv_read", 1],
        ]),
      },
      backends: [{ backend: "vault", up: true, cacheSize: 1 }],
      tokenTtlSeconds: 1,
      healthCheckDurationMs: 1,
      telemetry: summarizeTelemetry(
        { Samples: [], Gauges: [{ Name: "vault.expire.num_leases", Value: 1 }] },
        "secret",
        0,
      ),
      now: 0,
      vault: { sealed: false, active: true },
    }).matchAll(/^(vaultops_[a-z_]+)/gm),
  ].map((m) => m[1]),
);
// Series names as they appear in expressions (rule-group names are not series).
const referenced = (text: string) =>
  new Set([...text.replace(/^\s*- name: .*$/gm, "").matchAll(/\b(vaultops_[a-z_]+)/g)].map((m) => m[1]));

describe("monitoring/", () => {
  it("prometheus-rules.yml names only exported series and has seed 004's alerts", () => {
    const rules = readFileSync("monitoring/prometheus-rules.yml", "utf8");
    for (const name of referenced(rules)) expect(exported, name).toContain(name);
    for (const alert of [
      "HighKeyRetrievalLatency",
      "KeyStorageBackendDown",
      "LowCacheHitRate",
      "UnauthorizedKeyAccess",
      "FailedAuthentication",
      "UnplannedKeyCreation",
      "BackendAvailabilityLow",
    ]) {
      expect(rules).toContain(`alert: ${alert}`);
    }
  });

  it("grafana-dashboard.json is valid JSON with the seed's panels over exported series", () => {
    const dashboard = JSON.parse(readFileSync("monitoring/grafana-dashboard.json", "utf8"));
    const titles = dashboard.panels.map((p: { title: string }) => p.title);
    expect(titles).toEqual(
      expect.arrayContaining([
        "Key Operations Rate",
        "Operation Latency (p95)",
        "Cache Hit Rate",
        "Vault Telemetry (sys/metrics)",
        "Security",
      ]),
    );
    for (const name of referenced(JSON.stringify(dashboard))) expect(exported, name).toContain(name);
  });
});
