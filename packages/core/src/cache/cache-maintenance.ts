import type { Clock } from "../clock";
import { pool } from "../concurrency";
import type { CacheEntry } from "./cache-entry";
import type { MemoryTier } from "./memory-tier";
import { type CacheStore, CHANGES_KEPT, type SweepRecord } from "./shared-tier";

/**
 * The two-tier cache's whole-tier operations (an operator's invalidation or clear, the scheduled sweep),
 * apart from the per-key reads and writes in two-tier-cache.ts. Each changes the shared tier and this
 * container's memory tier, and tells other containers through the sync item.
 */
export class CacheMaintenance {
  constructor(
    private readonly deps: {
      store: CacheStore;
      memory: MemoryTier;
      clock: Clock;
      backendOf?: (key: string) => string | undefined;
    },
  ) {}

  /** Forgets every key that starts with one of `prefixes` in the shared tier and here; returns how many. */
  async invalidatePrefix(prefixes: string[]): Promise<number> {
    const { store, memory } = this.deps;
    const matches = (key: string) => prefixes.some((prefix) => key.startsWith(prefix));
    memory.deleteMatching(matches);
    const doomed = (await store.all()).filter((e) => matches(e.key) && !e.tombstone);
    await store.deleteMany(doomed.map((e) => e.key));
    await this.announceAll(doomed);
    return doomed.length;
  }

  /**
   * Empties both tiers here and, through the generation, every other container's L1. Tombstones
   * stay: a slow reader must not bring back a value a writer replaced, even across a clear.
   */
  async clear(): Promise<{ removed: number; generation: number }> {
    const { store, memory, clock } = this.deps;
    const generation = await store.bumpGeneration();
    const entries = (await store.all()).filter((e) => !e.tombstone);
    await store.deleteMany(entries.map((e) => e.key));
    memory.cleared(generation, clock.now());
    return { removed: entries.length, generation };
  }

  /**
   * Removes expired and superseded entries from the shared tier and, with `check`, every value that
   * Vault has moved past (written, deleted or made sensitive by another client): `check` says
   * whether the cached version is still the current one. An entry that changed meanwhile stays.
   */
  async sweep(
    check?: (key: string, version: number) => Promise<"current" | "stale" | "unknown">,
  ): Promise<SweepRecord> {
    const { store, memory, clock } = this.deps;
    const { generation } = await store.sync();
    const now = clock.now();
    const entries = await store.all();
    const dead = entries.filter((e) => e.expiresAtMs <= now || (e.generation !== generation && !e.tombstone));
    await store.deleteMany(dead.map((e) => e.key));
    memory.deleteExpired(now);
    const record: SweepRecord = { at: now, removed: dead.length, remaining: entries.length - dead.length };
    const removed = new Set(dead);
    if (check) {
      const live = entries.filter((e) => !removed.has(e) && !e.tombstone);
      const counts = { checked: 0, stale: 0, unknown: 0 };
      const gone: CacheEntry[] = [];
      await pool(live, 32, async (e) => {
        counts.checked++;
        const verdict = await check(e.key, e.version).catch(() => "unknown" as const);
        if (verdict === "unknown") counts.unknown++;
        if (verdict !== "stale") return;
        if (await store.deleteIfVersion(e.key, e.version)) {
          counts.stale++;
          memory.delete(e.key);
          gone.push(e);
          removed.add(e);
        }
      });
      // Another client's write found: every container drops its copy now, not when its memory TTL ends.
      await this.announceAll(gone);
      record.revalidated = counts;
      record.removed += counts.stale;
      record.remaining -= counts.stale;
    }
    // The size of the shared tier as the status and metrics routes report it until the next sweep.
    record.values = {};
    for (const e of entries) {
      if (removed.has(e) || e.tombstone) continue;
      const backend = this.deps.backendOf?.(e.key) ?? "vault";
      record.values[backend] = (record.values[backend] ?? 0) + 1;
      record.oldestStoredAt = Math.min(record.oldestStoredAt ?? e.storedAt, e.storedAt);
    }
    await store.recordSweep(record);
    return record;
  }

  /** Announces changes in lists the shared sync item keeps whole. */
  private async announceAll(entries: Array<{ key: string; version: number }>): Promise<void> {
    for (let i = 0; i < entries.length; i += CHANGES_KEPT)
      await this.deps.store.announce(
        entries.slice(i, i + CHANGES_KEPT).map((e) => ({ key: e.key, version: e.version })),
      );
  }
}
