import { readFileSync } from "node:fs";
import { prometheusText, summarizeTelemetry } from "@vaultops/core";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { readmeTable } from "../support/readme-tables";

/**
 * The README's Prometheus alert table and monitoring/prometheus-rules.yml say the same: every alert in
 * both, each with the threshold, window and `for` the README states; and every `vaultops_*` name the
 * README mentions is one the exposition has.
 */
interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
}
const rules = (
  parse(readFileSync("monitoring/prometheus-rules.yml", "utf8")) as { groups: Array<{ rules: Rule[] }> }
).groups.flatMap((g) => g.rules);
const recorded = new Map(rules.filter((r) => r.record).map((r) => [r.record as string, r.expr]));
/** An alert's expression with the recording rules it names written out. */
const expanded = (expr: string) => expr.replace(/vaultops:[a-z_]+:\w+/g, (name) => `(${recorded.get(name) ?? name})`);
const squeeze = (text: string) => text.replace(/\s+/g, " ");
type Column = "alert" | "threshold" | "window" | "for";

describe("the README's Prometheus alert table", () => {
  const table = readmeTable<Column>("alert");

  it("lists exactly the alerts of the rules", () => {
    const alerts = [...new Set(rules.filter((r) => r.alert).map((r) => r.alert))].sort();
    expect(table.map((row) => row.alert).sort()).toEqual(alerts);
  });

  it.each(readmeTable<Column>("alert").map((row) => [row.alert, row] as const))(
    "states %s's threshold, window and for",
    (_, row) => {
      const own = rules.filter((r) => r.alert === row.alert);
      for (const rule of own) {
        const expr = squeeze(expanded(rule.expr));
        expect(squeeze(rule.expr), "threshold").toContain(row.threshold);
        if (row.window !== "-")
          expect(expr, "window").toMatch(new RegExp(`\\[${row.window}\\]|offset ${row.window}\\b`));
        expect(rule.for ?? "-", "for").toBe(row.for);
      }
    },
  );
});

describe("metric names in the README", () => {
  it("are names the Prometheus exposition has", () => {
    const text = prometheusText({
      totals: { values: new Map([["n|kv_read|ok", 1]]) },
      backends: [{ backend: "vault", up: true, cacheSize: 1 }],
      tokenTtlSeconds: 1,
      healthCheckDurationMs: 1,
      vault: { sealed: false, active: true },
      telemetry: summarizeTelemetry(
        { Samples: [], Gauges: [{ Name: "vault.expire.num_leases", Value: 1 }] },
        "secret",
        0,
      ),
      now: 0,
    });
    const exported = new Set([...text.matchAll(/^# TYPE (vaultops_[a-z_]+)/gm)].map((m) => m[1]));
    const family = (name: string) => name.replace(/_(bucket|sum|count)$/, "");
    const named = [...readFileSync("README.md", "utf8").matchAll(/\b(vaultops_[a-z_]+[a-z])\b/g)].map(
      (m) => m[1] as string,
    );
    // `vaultops_sensitive` is the sensitive mark in Vault's custom metadata, not a metric.
    const unknown = [...new Set(named)]
      .filter((n) => n !== "vaultops_sensitive")
      .filter((n) => !exported.has(n) && !exported.has(family(n)) && !n.startsWith("vaultops_vault_*"));
    expect(unknown).toEqual([]);
  });
});
