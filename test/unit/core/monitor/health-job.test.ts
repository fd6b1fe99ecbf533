import { DynamoHealthStateStore } from "@vaultops/core";
import { describe, expect, it } from "vitest";
import { fakeVault, monitorContext } from "./monitor-setup";

/** A context whose Vault session is open already (the token authenticator's login is a lookup-self too). */
async function loggedIn(...args: Parameters<typeof monitorContext>) {
  const setup = monitorContext(...args);
  await setup.ctx.gateway.lookupSelf();
  setup.vault.reset();
  return setup;
}

describe("monitor: the scheduled health check", () => {
  it("makes one token lookup per run, and publishes BackendUp, the check's duration and the TTL", async () => {
    // Arrange
    const { ctx, vault, published } = await loggedIn(fakeVault({ ttl: 7_200 }));
    // Act
    const outcome = await ctx.monitor.runHealthCheckJob();
    // Assert
    expect(outcome.ok).toBe(true);
    expect(outcome.summary).toMatchObject({ status: "healthy", token_ttl_seconds: 7_200, token_renewed: false });
    expect(vault.count("GET", "/auth/token/lookup-self")).toBe(1);
    expect(vault.count("GET", "/sys/health")).toBe(1);
    expect(published.map((m) => m.name)).toEqual(["BackendUp", "HealthCheckDuration", "TokenTTL"]);
    expect(published.find((m) => m.name === "TokenTTL")?.value).toBe(7_200);
  });

  it("renews a renewable token under the threshold with two lookups in all (renew-self checks first)", async () => {
    const { ctx, vault } = await loggedIn(fakeVault({ ttl: 1_200, renewable: true }));
    const outcome = await ctx.monitor.runHealthCheckJob();
    expect(outcome.summary).toMatchObject({ token_renewed: true, token_ttl_seconds: 7_200 });
    expect(vault.count("GET", "/auth/token/lookup-self")).toBe(2);
    expect(vault.count("POST", "/auth/token/renew-self")).toBe(1);
    // The renewal is audited under the job's name.
    const { items } = await ctx.audit.query({ limit: 10 });
    expect(items.filter((r) => r.operation === "token_renew")).toMatchObject([
      { success: true, actor: "health-check-job" },
    ]);
  });

  it("records an unreachable Vault's failure as a kind, fails the run and publishes BackendUp 0", async () => {
    const { ctx, published } = monitorContext(fakeVault({ health: "down" }));
    const outcome = await ctx.monitor.runHealthCheckJob();
    expect(outcome.ok).toBe(false);
    expect(outcome.summary).toMatchObject({ status: "unhealthy", token_ttl_seconds: null });
    expect(published.find((m) => m.name === "BackendUp")?.value).toBe(0);
    const recorded = await new DynamoHealthStateStore(ctx.table).get();
    expect(recorded?.error).toBe("unreachable");
  });
});
