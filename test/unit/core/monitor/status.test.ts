import { configStatus, statusResponse } from "@vaultops/api";
import { describe, expect, it } from "vitest";
import { fakeVault, monitorContext } from "./monitor-setup";

describe("monitor status: GET /api/v1/vault/status and /api/v1/config/status", () => {
  it("says what is integrated, its health and the ages of the last jobs", async () => {
    // Arrange: the health job ran 30 s ago, the sweep never
    const { ctx, clock } = monitorContext(fakeVault());
    await ctx.jobRuns.record("health-check", { at: clock.now(), ok: true, durationMs: 5 });
    clock.advance(30_000);
    // Act
    const body = await ctx.monitor.status({ rotation: { last_run_at: null } });
    // Assert
    expect(statusResponse.safeParse(body).success).toBe(true);
    expect(body).toMatchObject({
      integration: "hashicorp_vault",
      version: "0.1.0",
      health: { status: "healthy", success_rate: "100.00%" },
      cache: { enabled: true, ttl: expect.any(String) },
      monitoring: {
        connection_status: "healthy",
        is_healthy: true,
        auth_method: "token",
        last_health_job_age_seconds: 30,
        last_cache_sweep_age_seconds: null,
      },
      vault_telemetry: { available: false },
      config_backends: { routing: [{ pattern: "*", backend: "vault" }], backends: [{ backend: "vault" }] },
      rotation: { last_run_at: null },
    });
  });

  it("config status: Vault enabled or not, the mount, the cache", async () => {
    const up = monitorContext(fakeVault());
    const sealed = monitorContext(fakeVault({ health: "sealed" }));
    // The fake Vault has no mount tune: the mount says why it has no version.
    const upBody = await up.ctx.monitor.configStatus();
    const sealedBody = await sealed.ctx.monitor.configStatus();
    expect(configStatus.safeParse(upBody).success).toBe(true);
    expect(upBody).toMatchObject({ vault_enabled: true, vault: { status: "healthy" }, mount: { path: "secret" } });
    expect(upBody.cache).toMatchObject({ enabled: true, shared_entries: null, sensitive_values_cached: false });
    expect(sealedBody).toMatchObject({ vault_enabled: false, vault: { status: "sealed" }, mount: { path: "secret" } });
    expect(sealedBody.mount).not.toHaveProperty("kv_version");
  });
});
