import type { CacheEntry, CacheWrite, PutOutcome } from "./cache-entry";

/**
 * The shared (L2) tier as the two-tier cache sees it: the port, the sync item every container reads,
 * and the sweep's record. DynamoDB implements it in store.ts; unit tests use a Map.
 */

export interface SweepRecord {
  at: number;
  removed: number;
  remaining: number;
  /** Entries dropped because Vault holds another version now (written by another client). */
  revalidated?: { checked: number; stale: number; unknown: number };
  /**
   * The values left, by backend, and when the oldest was stored: what the status and metrics routes
   * report as the shared tier's size (reading every entry on each scrape would cost the whole tier).
   */
  values?: Record<string, number>;
  oldestStoredAt?: number;
}

/**
 * What every container checks every CACHE_GENERATION_CHECK_MS: the clear generation, and the recent
 * changes (`changes` holds the newest; the last one's number is `seq`, each earlier one one less).
 */
export interface CacheSync {
  generation: number;
  seq: number;
  changes: Array<{ key: string; version: number }>;
}

/** Recent changes the shared sync item keeps; a container further behind drops its whole memory tier. */
export const CHANGES_KEPT = 32;
/** What the two-tier cache needs of its shared tier (DynamoDB in AWS; a Map in unit tests). */
export interface CacheStore {
  get(key: string): Promise<CacheEntry | undefined>;
  /** The entries of these keys that exist (a list page's lookups in one call per 100 keys). */
  getMany(keys: string[]): Promise<Map<string, CacheEntry>>;
  /** Writes the entry if `replaceCondition` allows it. */
  put(entry: CacheEntry, write: CacheWrite, now: number): Promise<PutOutcome>;
  /** Writes unconditionally (a purge). */
  overwrite(entry: CacheEntry): Promise<void>;
  /** Deletes the entry; true when it held a value (not a tombstone). */
  delete(key: string): Promise<boolean>;
  /** Deletes `key` unless it has moved past `version`. */
  deleteIfVersion(key: string, version: number): Promise<boolean>;
  deleteMany(keys: string[]): Promise<void>;
  /** Every entry, expired ones included. */
  all(): Promise<CacheEntry[]>;
  /** The generation and the recent changes, read by every container every CACHE_GENERATION_CHECK_MS. */
  sync(): Promise<CacheSync>;
  bumpGeneration(): Promise<number>;
  /** Tells every container that these keys changed (they drop their in-process copies). */
  announce(changes: Array<{ key: string; version: number }>): Promise<void>;
  recordSweep(record: SweepRecord): Promise<void>;
  lastSweep(): Promise<SweepRecord | undefined>;
}
