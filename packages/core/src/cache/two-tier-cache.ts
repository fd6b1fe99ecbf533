import { type Clock, systemClock } from "../clock";
import type { CacheEntry, DynamoCacheStore, SweepRecord } from "./store";

export type CacheTier = "memory" | "shared" | "origin";

export interface CacheAccessRecorder {
  cacheAccess(hit: boolean, tier: CacheTier): void;
}

export interface Loaded {
  value: string;
  version: number;
  /** False for sensitive values: returned to the caller, never stored in either tier. */
  cacheable: boolean;
}

export interface CacheResult extends Loaded {
  tier: CacheTier;
}

export interface TwoTierCacheOptions {
  /** TTL of the shared (DynamoDB) tier. */
  ttlMs: number;
  /**
   * TTL of the in-process tier: how long another warm container may serve a value after a write
   * (the writer's own container and the shared tier change at once).
   */
  memoryTtlMs?: number;
  /** How stale this container's view of the clear generation may be. */
  generationCheckMs: number;
  maxMemoryEntries?: number;
  clock?: Clock;
  recorder?: CacheAccessRecorder;
}

interface MemoryEntry {
  entry?: CacheEntry;
  /** The origin said "not cacheable" (a sensitive value): skip the shared tier, go straight to the origin. */
  originOnly?: true;
  until: number;
}

/**
 * In-process L1 in front of a DynamoDB L2. A clear bumps a shared generation number; each container
 * re-reads it at most every `generationCheckMs` and drops its L1 when it moved (no broadcast needed).
 * Concurrent misses on one key in one container share one origin read. Shared entries only move
 * forward in version, so a slow reader cannot put back a value a writer has replaced.
 */
export class TwoTierCache {
  private readonly memory = new Map<string, MemoryEntry>();
  private readonly inflight = new Map<string, Promise<CacheResult | undefined>>();
  private generation = 0;
  private generationCheckedAt = Number.NEGATIVE_INFINITY;
  private readonly clock: Clock;
  private readonly memoryTtlMs: number;

  constructor(
    private readonly store: DynamoCacheStore,
    private readonly options: TwoTierCacheOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.memoryTtlMs = Math.min(options.memoryTtlMs ?? 5_000, options.ttlMs);
  }

  get ttlMs(): number {
    return this.options.ttlMs;
  }

  get memoryEntries(): number {
    return this.memory.size;
  }

  async get(key: string, load: () => Promise<Loaded | undefined>): Promise<CacheResult | undefined> {
    await this.syncGeneration();
    const now = this.clock.now();
    const local = this.memory.get(key);
    if (local && local.until > now) {
      if (local.entry && local.entry.expiresAtMs > now) {
        this.options.recorder?.cacheAccess(true, "memory");
        return { value: local.entry.value, version: local.entry.version, cacheable: true, tier: "memory" };
      }
    } else if (local) {
      this.memory.delete(key);
    }
    const pending = this.inflight.get(key);
    if (pending) return pending;
    const attempt = this.fill(key, load, local?.originOnly === true && local.until > now).finally(() =>
      this.inflight.delete(key),
    );
    this.inflight.set(key, attempt);
    return attempt;
  }

  private async fill(
    key: string,
    load: () => Promise<Loaded | undefined>,
    originOnly: boolean,
  ): Promise<CacheResult | undefined> {
    if (!originOnly) {
      const shared = await this.store.get(key);
      const now = this.clock.now();
      if (shared && shared.expiresAtMs > now && shared.generation === this.generation) {
        this.remember(key, { entry: shared, until: now + this.memoryTtlMs });
        this.options.recorder?.cacheAccess(true, "shared");
        return { value: shared.value, version: shared.version, cacheable: true, tier: "shared" };
      }
    }
    this.options.recorder?.cacheAccess(false, "origin");
    const loaded = await load();
    if (!loaded) return undefined;
    if (loaded.cacheable) await this.put(key, loaded.value, loaded.version);
    else this.remember(key, { originOnly: true, until: this.clock.now() + this.memoryTtlMs });
    return { ...loaded, tier: "origin" };
  }

  /** Stores a fresh value in both tiers (after a read from the origin or a write through it). */
  async put(key: string, value: string, version: number): Promise<void> {
    const now = this.clock.now();
    const entry: CacheEntry = {
      key,
      value,
      version,
      storedAt: now,
      expiresAtMs: now + this.options.ttlMs,
      generation: this.generation,
    };
    const stored = await this.store.putIfNewer(entry, now);
    if (stored) this.remember(key, { entry, until: now + this.memoryTtlMs });
    else this.memory.delete(key);
  }

  /** Forgets a key in both tiers (after a write, a delete, or a switch to sensitive). */
  async invalidate(key: string): Promise<void> {
    this.memory.delete(key);
    await this.store.delete(key);
  }

  /** Forgets every key that starts with `prefix` in the shared tier and here; returns how many. */
  async invalidatePrefix(prefix: string): Promise<number> {
    for (const key of this.memory.keys()) if (key.startsWith(prefix)) this.memory.delete(key);
    const doomed = (await this.store.all()).filter((e) => e.key.startsWith(prefix)).map((e) => e.key);
    await this.store.deleteMany(doomed);
    return doomed.length;
  }

  /** Entries of the shared tier that are still live. */
  async sharedEntries(): Promise<CacheEntry[]> {
    const generation = await this.store.generation();
    const now = this.clock.now();
    return (await this.store.all()).filter((e) => e.expiresAtMs > now && e.generation === generation);
  }

  /** Empties both tiers here and, through the generation, every other container's L1. */
  async clear(): Promise<{ removed: number; generation: number }> {
    const generation = await this.store.bumpGeneration();
    const entries = await this.store.all();
    await this.store.deleteMany(entries.map((e) => e.key));
    this.memory.clear();
    this.generation = generation;
    this.generationCheckedAt = this.clock.now();
    return { removed: entries.length, generation };
  }

  /** Removes expired and superseded entries from the shared tier. */
  async sweep(): Promise<SweepRecord> {
    const generation = await this.store.generation();
    const now = this.clock.now();
    const entries = await this.store.all();
    const dead = entries.filter((e) => e.expiresAtMs <= now || e.generation !== generation);
    await this.store.deleteMany(dead.map((e) => e.key));
    for (const [key, local] of this.memory) if (local.until <= now) this.memory.delete(key);
    const record = { at: now, removed: dead.length, remaining: entries.length - dead.length };
    await this.store.recordSweep(record);
    return record;
  }

  lastSweep(): Promise<SweepRecord | undefined> {
    return this.store.lastSweep();
  }

  private remember(key: string, local: MemoryEntry): void {
    const max = this.options.maxMemoryEntries ?? 5_000;
    this.memory.delete(key);
    if (this.memory.size >= max) {
      // Map order is insertion order: the first key is the least recently stored.
      const oldest = this.memory.keys().next();
      if (!oldest.done) this.memory.delete(oldest.value);
    }
    this.memory.set(key, local);
  }

  private async syncGeneration(): Promise<void> {
    const now = this.clock.now();
    if (now - this.generationCheckedAt < this.options.generationCheckMs) return;
    const generation = await this.store.generation();
    this.generationCheckedAt = now;
    if (generation !== this.generation) {
      this.memory.clear();
      this.generation = generation;
    }
  }
}
