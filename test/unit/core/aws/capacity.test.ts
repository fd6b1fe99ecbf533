import { CACHE_SHARDS, capacityPlan, PARTITION_READ_UNITS, PARTITION_WRITE_UNITS } from "@vaultops/core";
import { describe, expect, it } from "vitest";

const defaults = { generationCheckMs: 1_000, counterFlushMs: 10_000 };

describe("capacityPlan: how the hot families are spread for the load a stage is sized for", () => {
  it("keeps what earlier releases wrote at the default load (1,000 reads/s, 100 containers)", () => {
    expect(capacityPlan({ readsPerSecond: 1_000, containers: 100, ...defaults })).toEqual({
      auditShards: 8,
      counterShards: 16,
      syncReplicas: 1,
      cacheShards: CACHE_SHARDS,
    });
  });

  it("sizes 20,000 audited reads/s and 2,000 containers so that the mean stays at 40% of a partition", () => {
    const plan = capacityPlan({ readsPerSecond: 20_000, containers: 2_000, ...defaults });
    // One audit record (1 write unit) per read: 20,000 / 50 = 400 a second a shard.
    expect(plan.auditShards).toBe(50);
    expect(20_000 / plan.auditShards).toBeLessThanOrEqual(0.4 * PARTITION_WRITE_UNITS);
    // One strongly consistent read of the sync item per container and second: 2,000 / 2 = 1,000.
    expect(plan.syncReplicas).toBe(2);
    expect(2_000 / plan.syncReplicas).toBeLessThanOrEqual(0.4 * PARTITION_READ_UNITS);
  });

  it("grows the sync replicas with the containers and how often they check", () => {
    const every250ms = capacityPlan({
      readsPerSecond: 1_000,
      containers: 2_000,
      generationCheckMs: 250,
      counterFlushMs: 10_000,
    });
    expect(every250ms.syncReplicas).toBe(7);
  });
});
