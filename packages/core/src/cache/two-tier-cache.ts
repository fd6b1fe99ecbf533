import { type Clock, systemClock } from "../clock";
import { pool } from "../concurrency";
import type { CacheResult, Loaded } from "./cache-access";
import { type CacheEntry, type CacheWrite, type EntryContent, newEntry } from "./cache-entry";
import { CacheMaintenance } from "./cache-maintenance";
import { MemoryTier } from "./memory-tier";
import type { CacheStore, SweepRecord } from "./shared-tier";
import { SingleFlight } from "./single-flight";
import type { TwoTierCacheOptions } from "./two-tier-options";

// The parts of the cache live beside this file; what this file exported before, it still exports.
export type { CacheAccessRecorder, CacheResult, CacheTier, Loaded } from "./cache-access";
export { mayReplace } from "./cache-entry";
export type { TwoTierCacheOptions } from "./two-tier-options";

/**
 * In-process L1 in front of a DynamoDB L2, both holding only non-sensitive values, each stamped
 * with its KV v2 version and moved only forward (see store.ts). Changes made through the plane
 * `advance` both tiers after Vault accepted them: a value when non-sensitive, a tombstone when
 * sensitive or deleted. Readers `refill` what they read from Vault, unless something newer is there.
 *
 * Every container reads one small shared item at most every `generationCheckMs`: the clear
 * generation (a clear drops every L1) and the recent changes, each a key whose shared entry was
 * superseded, made sensitive, deleted or found stale (by any container: a write, a 409, a 404, a
 * no-cache read, a refill of a newer version, the sweep). A container drops its L1 copy of each: an
 * in-process copy never outlives such a change by more than `generationCheckMs`. A container too far
 * behind the list drops its whole L1. Concurrent misses on one key in one container share one origin
 * read. `revalidate` (the cache sweep) drops entries that Vault has moved past.
 */
export class TwoTierCache {
  private readonly inflight = new SingleFlight<CacheResult | undefined>();
  private readonly memory: MemoryTier;
  private readonly maintenance: CacheMaintenance;
  private readonly clock: Clock;
  private readonly memoryTtlMs: number;

  constructor(
    private readonly store: CacheStore,
    private readonly options: TwoTierCacheOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.memoryTtlMs = Math.min(options.memoryTtlMs ?? 5_000, options.ttlMs);
    this.memory = new MemoryTier({
      clock: this.clock,
      ttlMs: this.memoryTtlMs,
      generationCheckMs: options.generationCheckMs,
      maxEntries: options.maxMemoryEntries ?? 5_000,
    });
    const { backendOf } = options;
    this.maintenance = new CacheMaintenance({ store, memory: this.memory, clock: this.clock, backendOf });
  }

  get ttlMs(): number {
    return this.options.ttlMs;
  }

  get memoryTtl(): number {
    return this.memoryTtlMs;
  }

  get memoryEntries(): number {
    return this.memory.values;
  }

  /**
   * A read through both tiers. `revalidate` (a `Cache-Control: no-cache` request) skips them,
   * reads the origin and refreshes both with what it found.
   */
  async get(
    key: string,
    load: () => Promise<Loaded | undefined>,
    options: { revalidate?: boolean } = {},
  ): Promise<CacheResult | undefined> {
    await this.syncGeneration();
    const now = this.clock.now();
    const fresh = this.memory.fresh(key, now);
    if (!options.revalidate && fresh && !fresh.tombstone && fresh.expiresAtMs > now) {
      this.options.recorder?.cacheAccess(true, "memory", this.options.backendOf?.(key));
      return { value: fresh.value, version: fresh.version, cacheable: true, tier: "memory" };
    }
    const known = fresh?.tombstone ? fresh : undefined;
    const skipShared = options.revalidate === true || known !== undefined;
    // A revalidation shares only another revalidation's origin read.
    const flightKey = options.revalidate ? `${key}\u0000revalidate` : key;
    return this.inflight.run(flightKey, () => this.fill(key, load, skipShared, known));
  }

  /**
   * Reads for many keys at once (a list page): memory first, then the shared tier in one BatchGetItem
   * per 100 keys, then the origin for the rest, `concurrency` reads at a time, each refilled with its own
   * conditional write (all in flight together). Keys without an answer map to undefined.
   */
  async getMany(
    keys: string[],
    load: (key: string) => Promise<Loaded | undefined>,
    options: { concurrency?: number } = {},
  ): Promise<Map<string, CacheResult | undefined>> {
    await this.syncGeneration();
    const results = new Map<string, CacheResult | undefined>();
    const now = this.clock.now();
    const lookup: string[] = [];
    const tombstones = new Map<string, CacheEntry>();
    for (const key of new Set(keys)) {
      const fresh = this.memory.fresh(key, now);
      if (fresh && !fresh.tombstone && fresh.expiresAtMs > now) {
        this.options.recorder?.cacheAccess(true, "memory", this.options.backendOf?.(key));
        results.set(key, { value: fresh.value, version: fresh.version, cacheable: true, tier: "memory" });
      } else if (fresh?.tombstone) tombstones.set(key, fresh);
      else lookup.push(key);
    }
    const seqAtStart = this.memory.appliedSeq;
    const shared = lookup.length > 0 ? await this.store.getMany(lookup) : new Map<string, CacheEntry>();
    const origin: Array<() => Promise<void>> = [];
    for (const [key, known] of tombstones)
      origin.push(async () => {
        results.set(key, await this.inflight.run(key, () => this.fromOrigin(key, () => load(key), true, known, known)));
      });
    for (const key of lookup) {
      const { served, tombstone } = this.fromShared(key, shared.get(key), seqAtStart);
      if (served) results.set(key, served);
      else
        origin.push(async () => {
          results.set(key, await this.inflight.run(key, () => this.fromOrigin(key, () => load(key), false, tombstone)));
        });
    }
    await pool(origin, options.concurrency ?? 16, (read) => read());
    return results;
  }

  /** Whether the shared tier holds a live value of `key` older than `version` (one a tombstone would block). */
  private async servable(key: string, version: number): Promise<boolean> {
    const shared = await this.store.get(key);
    return (
      shared !== undefined && !shared.tombstone && shared.version < version && shared.expiresAtMs > this.clock.now()
    );
  }

  private async fill(
    key: string,
    load: () => Promise<Loaded | undefined>,
    skipShared: boolean,
    /** A tombstone this container holds for the key. */
    known?: CacheEntry,
  ): Promise<CacheResult | undefined> {
    if (skipShared) return this.fromOrigin(key, load, true, known, known);
    const seqAtStart = this.memory.appliedSeq;
    const { served, tombstone } = this.fromShared(key, await this.store.get(key), seqAtStart);
    return served ?? this.fromOrigin(key, load, false, tombstone);
  }

  /** A live shared value is served (and kept here); a live shared tombstone is kept here and returned. */
  private fromShared(
    key: string,
    shared: CacheEntry | undefined,
    seqAtStart: number,
  ): { served?: CacheResult; tombstone?: CacheEntry } {
    const now = this.clock.now();
    if (!shared || shared.expiresAtMs <= now) return {};
    if (!shared.tombstone && shared.generation === this.memory.generation) {
      // A change applied while this read was out may have been about this very entry: serve it, keep nothing.
      if (this.memory.unchangedSince(key, seqAtStart)) this.memory.remember(key, shared, "refill");
      this.options.recorder?.cacheAccess(true, "shared", this.options.backendOf?.(key));
      return { served: { value: shared.value, version: shared.version, cacheable: true, tier: "shared" } };
    }
    // A tombstone: the key is sensitive or deleted at that version; remember that here too.
    if (shared.tombstone) {
      this.memory.remember(key, shared, "refill");
      return { tombstone: shared };
    }
    return {};
  }

  /**
   * Reads the origin and refills. `skipShared`: the shared tier was not looked at (a revalidation, or
   * this container holds a tombstone, `known`); `tombstone`: the newest tombstone seen for the key.
   */
  private async fromOrigin(
    key: string,
    load: () => Promise<Loaded | undefined>,
    skipShared: boolean,
    tombstone?: CacheEntry,
    known?: CacheEntry,
  ): Promise<CacheResult | undefined> {
    const loaded = await load();
    if (loaded?.cacheable) this.options.recorder?.cacheAccess(false, "origin", this.options.backendOf?.(key));
    else if (loaded) this.options.recorder?.cacheBypass?.(this.options.backendOf?.(key));
    if (!loaded) {
      // The origin has no such key (deleted, perhaps by another client): no copy may outlive that.
      // Without revalidation nothing servable was here (else it was served): what is there is a
      // tombstone or purge marker, which must stay to keep slow readers from refilling the key.
      if (skipShared && !known) await this.drop(key);
      return undefined;
    }
    const now = this.clock.now();
    if (!loaded.cacheable && tombstone && tombstone.version >= loaded.version && tombstone.expiresAtMs > now) {
      // The shared tier already holds this tombstone: writing it again is a refused conditional write
      // (a write unit for nothing, per sensitive read). This container keeps serving it from memory.
      this.memory.keep(key, tombstone);
      return { ...loaded, tier: "origin" };
    }
    if (!loaded.cacheable && (!skipShared || (known && !(await this.servable(key, loaded.version))))) {
      // The shared tier holds no value of the key anyone may serve (just read, or asked now because this
      // container knew an older tombstone): a tombstone there would block nothing. This container alone
      // remembers it. (A hot sensitive key written often would otherwise take a refused conditional
      // write from every container at every version.)
      this.memory.keep(key, this.entry(key, { value: "", version: loaded.version, tombstone: true }, now));
      return { ...loaded, tier: "origin" };
    }
    // Stored with refill rules: never over a newer version or a tombstone a writer left meanwhile.
    await this.write(
      key,
      { value: loaded.cacheable ? loaded.value : "", version: loaded.version, tombstone: !loaded.cacheable },
      "refill",
    );
    return { ...loaded, tier: "origin" };
  }

  /**
   * After a change Vault accepted: both tiers move to `version`, holding `value` when it may be
   * cached, else a tombstone (sensitive, deleted). Older entries anywhere are superseded.
   */
  async advance(key: string, change: { version: number; value?: string | undefined }): Promise<void> {
    await this.write(
      key,
      { value: change.value ?? "", version: change.version, tombstone: change.value === undefined },
      "advance",
    );
  }

  /** Every version of the key was destroyed: nothing may be refilled until it is written again. */
  async purge(key: string): Promise<void> {
    const now = this.clock.now();
    const entry = this.entry(key, { value: "", version: 0, tombstone: true }, now);
    entry.purged = true;
    await this.store.overwrite(entry);
    this.memory.hold(key, entry, now);
    await this.store.announce([{ key, version: Number.MAX_SAFE_INTEGER }]);
  }

  /** Forgets a key in both tiers (Vault said 404 or 409 and its current version is not known). */
  async drop(key: string): Promise<void> {
    this.memory.delete(key);
    if (await this.store.delete(key)) await this.store.announce([{ key, version: Number.MAX_SAFE_INTEGER }]);
  }

  private entry(key: string, e: EntryContent, now: number): CacheEntry {
    return newEntry(key, e, { now, ttlMs: this.options.ttlMs, generation: this.memory.generation });
  }

  private async write(key: string, e: EntryContent, write: CacheWrite): Promise<boolean> {
    const now = this.clock.now();
    const entry = this.entry(key, e, now);
    const outcome = await this.store.put(entry, write, now);
    const stored = outcome !== "refused";
    // The shared tier's answer decides: memory never holds what the shared tier refused.
    if (stored) this.memory.remember(key, entry, write);
    else if (write === "advance") this.memory.delete(key);
    // Other containers may hold the value this replaced: they drop it at their next check.
    if (outcome === "superseded") await this.store.announce([{ key, version: entry.version }]);
    return stored;
  }

  /** Forgets every key that starts with one of `prefixes` in the shared tier and here; returns how many. */
  invalidatePrefix(...prefixes: string[]): Promise<number> {
    return this.maintenance.invalidatePrefix(prefixes);
  }

  /** Empties both tiers (tombstones stay) here and, through the generation, in every container. */
  clear(): Promise<{ removed: number; generation: number }> {
    return this.maintenance.clear();
  }

  /** Removes expired, superseded and (with `check`) stale entries; see CacheMaintenance.sweep. */
  sweep(check?: (key: string, version: number) => Promise<"current" | "stale" | "unknown">): Promise<SweepRecord> {
    return this.maintenance.sweep(check);
  }

  lastSweep(): Promise<SweepRecord | undefined> {
    return this.store.lastSweep();
  }

  /** Applies the shared sync item at most every `generationCheckMs` (see MemoryTier.applySync). */
  private async syncGeneration(): Promise<void> {
    const now = this.clock.now();
    if (!this.memory.syncDue(now)) return;
    this.memory.applySync(await this.store.sync(), now);
  }
}
