import type { Actor } from "../audit/audit-log";
import type { CounterTotals } from "./counters";
import { isoOrZero, type MonitorParts, sharedValues, type Totals } from "./monitor-deps";
import type { CacheClearBody, CacheStatsBody } from "./responses";
import { cacheFigures, msText } from "./views";

/** What a scheduled job reports: whether it went well, and a summary for its log line and run record. */
export interface JobOutcome {
  ok: boolean;
  summary: Record<string, unknown>;
}

/** The cache's figures, its clear (a route) and its sweep (a scheduled job). */
export class CacheMonitor {
  constructor(
    private readonly deps: Pick<MonitorParts, "cache" | "cacheCheck" | "audit" | "logger" | "clock">,
    private readonly totals: Totals,
  ) {}

  /**
   * `totals`: the shared counters when the caller has read them already (one read per request). The
   * shared tier's size is the last sweep's (every 5 minutes, `entries_as_of`): counting it here would
   * read every entry on each call.
   */
  async stats(totals: Promise<CounterTotals> = this.totals.shared()): Promise<CacheStatsBody> {
    const [sweep, counted] = await Promise.all([this.deps.cache.lastSweep(), totals]);
    const cache = cacheFigures(counted);
    return {
      total_entries: sharedValues(sweep),
      total_accesses: cache.hits + cache.misses,
      ttl: msText(this.deps.cache.ttlMs),
      oldest_access: isoOrZero(sweep?.oldestStoredAt),
      newest_access: isoOrZero(counted.lastCacheAccessAt),
      hits: cache.hits,
      misses: cache.misses,
      hit_rate: cache.hitRate,
      memory_entries: this.deps.cache.memoryEntries,
      entries_as_of: sweep ? new Date(sweep.at).toISOString() : null,
    };
  }

  /** POST /api/v1/vault/cache/clear: both tiers, every container's (audited). */
  async clear(actor: Actor): Promise<CacheClearBody> {
    const before = await this.stats();
    const { removed } = await this.deps.cache.clear();
    await this.deps.audit.record({ operation: "cache_clear", path: "cache/*", success: true }, actor);
    this.deps.logger.info("cache cleared", { entries: removed });
    return {
      message: "Vault cache cleared successfully",
      cleared_stats: { total_entries: removed, total_accesses: before.total_accesses, ttl: before.ttl },
      timestamp: Math.floor(this.deps.clock.now() / 1000),
    };
  }

  /** The scheduled sweep: expired entries out, stale versions dropped, the shared tier counted. */
  async sweepJob(): Promise<JobOutcome> {
    const sweep = await this.deps.cache.sweep(this.deps.cacheCheck);
    return {
      ok: true,
      summary: {
        removed: sweep.removed,
        remaining: sweep.remaining,
        ...(sweep.revalidated ? { revalidated: sweep.revalidated } : {}),
      },
    };
  }
}
