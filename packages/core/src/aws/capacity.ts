/**
 * How the state table's hot families are spread, derived from the load a stage is sized for
 * (CAPACITY_READS_PER_SECOND, CAPACITY_CONTAINERS) so that no partition key takes more than
 * PARTITION_TARGET of what DynamoDB gives one partition. `npm run capacity` replays a workload
 * through the real services and shows what each family then takes.
 */

/** DynamoDB's throughput of one partition (read units of 4 KB, write units of 1 KB, per second). */
export const PARTITION_READ_UNITS = 3_000;
export const PARTITION_WRITE_UNITS = 1_000;
/** The share of a partition's throughput a plan leaves any key at the load it is sized for. */
export const PARTITION_TARGET = 0.5;
/**
 * Writers and readers pick a shard or replica at random: in a busy second the busiest one takes about
 * a fifth more than the mean (the capacity model measures it), so plans size the mean at 80% of the target.
 */
const RANDOM_SPREAD_HEADROOM = 0.8;

/**
 * Units one operation of each family costs at most, as sized here (the capacity model measures them):
 * an audit record is under 1 KB; a counters item holds every counter of the plane (under 2 KB);
 * the sync item is read strongly consistent and stays under 4 KB (its change list is trimmed).
 */
const AUDIT_WRITE_UNITS = 1;
const COUNTER_FLUSH_UNITS = 2;
const SYNC_READ_UNITS = 1;

/**
 * Partitions the cache entries are spread over by key hash. Fixed, not derived: a change re-homes every
 * entry, and containers of two deploys side by side would read different homes. 64 take the refill of
 * every read after a cache clear at 20,000 reads a second (one conditional write each) at a third of
 * their write throughput; stats and sweeps query them in parallel.
 */
export const CACHE_SHARDS = 64;

/** The least of each family: what earlier releases wrote, so that readers still find it. */
const FLOOR = { auditShards: 8, counterShards: 16, syncReplicas: 1 } as const;

export interface CapacityInput {
  /** Audited config reads a second, all containers together, at peak. */
  readsPerSecond: number;
  /** Warm containers at peak, every function together. */
  containers: number;
  /** How often a container reads its sync item (CACHE_GENERATION_CHECK_MS). */
  generationCheckMs: number;
  /** How often a container flushes its counter deltas (COUNTER_FLUSH_MS). */
  counterFlushMs: number;
}

export interface CapacityPlan {
  /** `audit#<day>#<0..n-1>`: each audited read writes one record to a random one. */
  auditShards: number;
  /** `counters#<0..n-1>`: each flush adds to a random one; totals read them all in one BatchGetItem. */
  counterShards: number;
  /** `sync#<0..n-1>`: each container reads one (chosen at cold start); changes and clears write all. */
  syncReplicas: number;
  /** `cache#<0..n-1>`. */
  cacheShards: number;
}

const perPartition = (unitsPerSecond: number, limit: number) =>
  Math.ceil(unitsPerSecond / (limit * PARTITION_TARGET * RANDOM_SPREAD_HEADROOM));

export function capacityPlan(input: CapacityInput): CapacityPlan {
  const checksPerSecond = input.generationCheckMs > 0 ? 1_000 / input.generationCheckMs : 1_000;
  const flushesPerSecond = input.counterFlushMs > 0 ? 1_000 / input.counterFlushMs : 1_000;
  return {
    auditShards: Math.max(
      FLOOR.auditShards,
      perPartition(input.readsPerSecond * AUDIT_WRITE_UNITS, PARTITION_WRITE_UNITS),
    ),
    counterShards: Math.max(
      FLOOR.counterShards,
      perPartition(input.containers * flushesPerSecond * COUNTER_FLUSH_UNITS, PARTITION_WRITE_UNITS),
    ),
    syncReplicas: Math.max(
      FLOOR.syncReplicas,
      perPartition(input.containers * checksPerSecond * SYNC_READ_UNITS, PARTITION_READ_UNITS),
    ),
    cacheShards: CACHE_SHARDS,
  };
}
