import { healthResponse } from "@vaultops/api";
import { DynamoHealthStateStore } from "@vaultops/core";
import { describe, expect, it } from "vitest";
import { fakeVault, monitorContext } from "./monitor-setup";

describe("monitor health: GET /api/v1/vault/health", () => {
  it("answers healthy with the token's TTL, in the documented shape, and records the state", async () => {
    // Arrange
    const { ctx } = monitorContext(fakeVault({ health: "healthy", ttl: 7_200 }));
    // Act
    const { healthy, body } = await ctx.monitor.health();
    // Assert
    expect(healthy).toBe(true);
    expect(healthResponse.safeParse(body).success).toBe(true);
    expect(body.vault_health).toMatchObject({
      status: "healthy",
      token_ttl_seconds: 7_200,
      token_renewable: true,
      last_error: "",
      warnings: [],
      sealed: false,
    });
    const recorded = await new DynamoHealthStateStore(ctx.table).get();
    expect(recorded).toMatchObject({ status: "healthy", tokenTtlSeconds: 7_200, tokenRenewable: true });
    expect(recorded?.error).toBeUndefined();
  });

  it("answers a sealed Vault as unhealthy (503) with sealed set, without a token", async () => {
    const { ctx } = monitorContext(fakeVault({ health: "sealed" }));
    const { healthy, body } = await ctx.monitor.health();
    expect(healthy).toBe(false);
    expect(healthResponse.safeParse(body).success).toBe(true);
    expect(body.vault_health).toMatchObject({
      status: "sealed",
      sealed: true,
      initialized: true,
      token_ttl_seconds: 0,
    });
    const recorded = await new DynamoHealthStateStore(ctx.table).get();
    expect(recorded?.status).toBe("sealed");
    expect(recorded?.tokenTtlSeconds).toBeUndefined();
  });

  it("says an unreachable Vault is not reachable, by kind: no address or path, in the body or the state", async () => {
    // Arrange: every call to Vault is refused at the TCP level
    const { ctx, vault } = monitorContext(fakeVault({ health: "down" }));
    // Act
    const { healthy, body } = await ctx.monitor.health();
    // Assert
    expect(healthy).toBe(false);
    expect(healthResponse.safeParse(body).success).toBe(true);
    expect(body.vault_health).toMatchObject({ status: "unhealthy", last_error: "Vault is not reachable" });
    expect(JSON.stringify(body)).not.toMatch(/10\.0\.0\.7|sys\/health|ECONNREFUSED/);
    const recorded = await new DynamoHealthStateStore(ctx.table).get();
    expect(recorded).toMatchObject({ status: "unhealthy", error: "unreachable" });
    // One sys/health per check: the route never asks Vault twice.
    expect(vault.count("GET", "/sys/health")).toBe(1);
  });

  it("memoises the check per container: a second call within HEALTH_MEMO_MS asks Vault nothing", async () => {
    const { ctx, vault, clock } = monitorContext(fakeVault(), { HEALTH_MEMO_MS: "2000" });
    await ctx.monitor.health();
    vault.reset();
    await ctx.monitor.health();
    expect(vault.calls).toEqual([]);
    clock.advance(2_000);
    await ctx.monitor.health();
    expect(vault.count("GET", "/sys/health")).toBe(1);
  });

  it("warns when the token expires within the hour", async () => {
    const { ctx } = monitorContext(fakeVault({ ttl: 600, renewable: false }));
    const { body } = await ctx.monitor.health();
    expect(body.vault_health.warnings).toEqual(["Vault token expires in 600s (under 3600s) and is not renewable"]);
  });
});
