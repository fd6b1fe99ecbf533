import { prometheusText, summarizeTelemetry, TELEMETRY_MAX_AGE_SECONDS } from "@vaultops/core";
import { describe, expect, it } from "vitest";

/** Vault's figures in the exposition: never a stale one shown as current. */
const telemetry = summarizeTelemetry(
  {
    Samples: [],
    Gauges: [
      { Name: "vault.expire.num_leases", Value: 7 },
      { Name: "vault.core.unsealed", Value: 1 },
      { Name: "vault.core.active", Value: 1 },
    ],
  },
  "secret",
  0,
);
const render = (options: { ageSeconds: number; vault?: { sealed: boolean; active: boolean } }) =>
  prometheusText({
    totals: { values: new Map() },
    backends: [{ backend: "vault", up: true, cacheSize: 0 }],
    telemetry,
    now: Date.parse(telemetry.read_at) + options.ageSeconds * 1000,
    ...(options.vault ? { vault: options.vault } : {}),
  });

describe("prometheusText", () => {
  it("shows Vault's own figures while they are at most two health periods old, and their age always", () => {
    expect(render({ ageSeconds: TELEMETRY_MAX_AGE_SECONDS })).toMatch(/^vaultops_vault_leases 7$/m);
    const stale = render({ ageSeconds: TELEMETRY_MAX_AGE_SECONDS + 1 });
    expect(stale).not.toMatch(/^vaultops_vault_leases/m);
    expect(stale).toMatch(/^vaultops_vault_telemetry_age_seconds 121$/m);
  });

  it("takes seal and leadership from the scrape's sys/health, and leaves them out when Vault did not answer", () => {
    expect(render({ ageSeconds: 1, vault: { sealed: true, active: false } })).toMatch(
      /^vaultops_vault_unsealed 0$[\s\S]*^vaultops_vault_active 0$/m,
    );
    const unknown = render({ ageSeconds: 1 });
    expect(unknown).not.toMatch(/^vaultops_vault_unsealed/m);
    expect(unknown).not.toMatch(/^vaultops_vault_active/m);
  });

  it("splits failures by reason: a refusal, an outage, an error", () => {
    const text = prometheusText({
      totals: {
        values: new Map([
          ["n|kv_read|fail", 5],
          ["f|kv_read|denied", 1],
          ["f|kv_read|unavailable", 3],
        ]),
      },
      backends: [],
    });
    expect(text).toMatch(/status="failure",reason="denied"\} 1$/m);
    expect(text).toMatch(/status="failure",reason="unavailable"\} 3$/m);
    expect(text).toMatch(/status="failure",reason="error"\} 1$/m);
  });
});
