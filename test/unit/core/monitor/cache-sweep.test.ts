import { cacheClearResponse } from "@vaultops/api";
import { describe, expect, it } from "vitest";
import { fakeVault, monitorContext } from "./monitor-setup";

const origin = (version: number) => async () => ({ value: `v${version}`, version, cacheable: true });

describe("monitor cache: the sweep job and the clear", () => {
  it("drops expired and stale entries, keeps current ones, and the figures count what is left", async () => {
    // Arrange: A stored at t0 (expired by the sweep), B current in Vault, C cached at a version Vault has moved past
    const { ctx, clock, kv } = monitorContext(fakeVault());
    await kv.write("dev/app/B", { value: "b" }, 0);
    await kv.write("dev/app/C", { value: "c1" }, 0);
    await kv.write("dev/app/C", { value: "c2" }, 1);
    await ctx.cache.get("config:dev/app/A", origin(1));
    clock.advance(600_000);
    await ctx.cache.get("config:dev/app/B", origin(1));
    await ctx.cache.get("config:dev/app/C", origin(1));
    clock.advance(400_000);
    // Act
    const outcome = await ctx.monitor.runCacheSweepJob();
    // Assert
    expect(outcome).toEqual({
      ok: true,
      summary: { removed: 2, remaining: 1, revalidated: { checked: 2, stale: 1, unknown: 0 } },
    });
    const stats = await ctx.monitor.cacheStats();
    expect(stats.total_entries).toBe(1);
    expect(stats.entries_as_of).toBe(new Date(clock.now()).toISOString());
  });

  it("clears both tiers, audited, and says how much was there", async () => {
    const { ctx } = monitorContext(fakeVault());
    await ctx.cache.get("config:dev/app/A", origin(1));
    const body = await ctx.monitor.clearCache({ name: "ops" });
    expect(cacheClearResponse.safeParse(body).success).toBe(true);
    expect(body).toMatchObject({ message: "Vault cache cleared successfully", cleared_stats: { total_accesses: 1 } });
    const { items } = await ctx.audit.query({ limit: 10 });
    expect(items.map((r) => [r.operation, r.actor])).toContainEqual(["cache_clear", "ops"]);
  });
});
