import { metricsResponse } from "@vaultops/api";
import { describe, expect, it } from "vitest";
import { fakeVault, monitorContext } from "./monitor-setup";

describe("monitor metrics: GET /api/v1/vault/metrics", () => {
  it("reports requests, token, errors and cache figures in the documented shape", async () => {
    // Arrange: two Vault calls counted (the login's lookup and one lookup-self), one cache miss and hit
    const { ctx } = monitorContext(fakeVault({ ttl: 5_000 }));
    await ctx.gateway.lookupSelf();
    const origin = async () => ({ value: "v", version: 1, cacheable: true });
    await ctx.cache.get("config:dev/app/A", origin);
    await ctx.cache.get("config:dev/app/A", origin);
    // Act
    const body = await ctx.monitor.metrics();
    // Assert
    expect(metricsResponse.safeParse(body).success).toBe(true);
    expect(body.vault_metrics.connection.status).toBe("healthy");
    expect(body.vault_metrics.requests).toMatchObject({ failed: 0, success_rate: "100.00%" });
    expect(body.vault_metrics.requests.successful).toBeGreaterThanOrEqual(2);
    expect(body.vault_metrics.token).toEqual({ ttl_seconds: 5_000, renewable: true });
    expect(body.vault_metrics.errors).toEqual({ last_error: "", last_error_time: "0001-01-01T00:00:00Z" });
    expect(body.cache_metrics).toMatchObject({ hits: 1, misses: 1, hit_rate: "50.00%", entries_as_of: null });
  });

  it("writes the same figures as Prometheus text, with Vault's seal and the token's TTL", async () => {
    const { ctx } = monitorContext(fakeVault({ ttl: 5_000 }));
    await ctx.gateway.lookupSelf();
    const text = await ctx.monitor.prometheus();
    expect(text).toContain('vaultops_key_backend_up{backend="vault"} 1');
    expect(text).toContain("vaultops_vault_unsealed 1");
    expect(text).toContain("vaultops_vault_token_ttl_seconds 5000");
    // The lookup above and the scrape's own (memoised for the rest of the scrape).
    expect(text).toContain(
      'vaultops_key_operations_total{operation="token_lookup",backend="vault",status="success"} 2',
    );
    expect(text).toMatch(/# TYPE vaultops_health_check_duration_seconds gauge/);
  });

  it("shows a sealed Vault as down and sealed, and leaves the seal unknown when Vault does not answer", async () => {
    const sealed = monitorContext(fakeVault({ health: "sealed" }));
    const sealedText = await sealed.ctx.monitor.prometheus();
    expect(sealedText).toContain('vaultops_key_backend_up{backend="vault"} 0');
    expect(sealedText).toContain("vaultops_vault_unsealed 0");
    const down = monitorContext(fakeVault({ health: "down" }));
    const downText = await down.ctx.monitor.prometheus();
    expect(downText).toContain('vaultops_key_backend_up{backend="vault"} 0');
    expect(downText).not.toContain("vaultops_vault_unsealed");
  });
});
