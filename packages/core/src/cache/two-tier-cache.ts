import { type Clock, systemClock } from "../clock";
import { pool } from "../concurrency";
import {
  type CacheEntry,
  type CacheStore,
  type CacheWrite,
  CHANGES_KEPT,
  precedence,
  replaceableUpTo,
  type SweepRecord,
} from "./store";

export type CacheTier = "memory" | "shared" | "origin";

export interface CacheAccessRecorder {
  /** `backend`: the origin the key belongs to (see `backendOf`); the default origin when undefined. */
  cacheAccess(hit: boolean, tier: CacheTier, backend?: string): void;
  /** A read that never uses the cache by design (a sensitive value): not a miss. */
  cacheBypass?(backend?: string): void;
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
  /** Which origin a key belongs to, for the figures (Vault or Secrets Manager). */
  backendOf?: (key: string) => string | undefined;
}

/** The in-process copy of an entry (value or tombstone), served until `until`. */
interface MemoryEntry {
  entry: CacheEntry;
  until: number;
}

/** The same ordering as the shared tier's conditions (store.ts `replaceCondition`), in memory. */
export function mayReplace(current: CacheEntry | undefined, next: CacheEntry, write: CacheWrite, now: number): boolean {
  if (!current || current.expiresAtMs <= now) return true;
  if (write === "advance" && current.purged) return true;
  return precedence(current) <= replaceableUpTo(next, write);
}

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
  private readonly memory = new Map<string, MemoryEntry>();
  private readonly inflight = new Map<string, Promise<CacheResult | undefined>>();
  private generation = 0;
  private generationCheckedAt = Number.NEGATIVE_INFINITY;
  /** The number of the last change this container has applied (undefined before its first check). */
  private seq: number | undefined;
  /** Keys dropped for a change, with the change's number: a read that began before it keeps nothing. */
  private readonly droppedAt = new Map<string, number>();
  private readonly clock: Clock;
  private readonly memoryTtlMs: number;

  constructor(
    private readonly store: CacheStore,
    private readonly options: TwoTierCacheOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.memoryTtlMs = Math.min(options.memoryTtlMs ?? 5_000, options.ttlMs);
  }

  get ttlMs(): number {
    return this.options.ttlMs;
  }

  get memoryTtl(): number {
    return this.memoryTtlMs;
  }

  get memoryEntries(): number {
    let n = 0;
    for (const m of this.memory.values()) if (!m.entry.tombstone) n++;
    return n;
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
    const fresh = this.fresh(key, now);
    if (!options.revalidate && fresh && !fresh.tombstone && fresh.expiresAtMs > now) {
      this.options.recorder?.cacheAccess(true, "memory", this.options.backendOf?.(key));
      return { value: fresh.value, version: fresh.version, cacheable: true, tier: "memory" };
    }
    const flightKey = options.revalidate ? `${key}\u0000revalidate` : key;
    const pending = this.inflight.get(flightKey);
    if (pending) return pending;
    const known = fresh?.tombstone ? fresh : undefined;
    const attempt = this.fill(key, load, options.revalidate === true || known !== undefined, known).finally(() =>
      this.inflight.delete(flightKey),
    );
    this.inflight.set(flightKey, attempt);
    return attempt;
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
      const fresh = this.fresh(key, now);
      if (fresh && !fresh.tombstone && fresh.expiresAtMs > now) {
        this.options.recorder?.cacheAccess(true, "memory", this.options.backendOf?.(key));
        results.set(key, { value: fresh.value, version: fresh.version, cacheable: true, tier: "memory" });
      } else if (fresh?.tombstone) tombstones.set(key, fresh);
      else lookup.push(key);
    }
    const seqAtStart = this.seq ?? 0;
    const shared = lookup.length > 0 ? await this.store.getMany(lookup) : new Map<string, CacheEntry>();
    const origin: Array<() => Promise<void>> = [];
    for (const [key, known] of tombstones)
      origin.push(async () => {
        results.set(key, await this.flight(key, () => this.fromOrigin(key, () => load(key), true, known, known)));
      });
    for (const key of lookup) {
      const { served, tombstone } = this.fromShared(key, shared.get(key), seqAtStart);
      if (served) results.set(key, served);
      else
        origin.push(async () => {
          results.set(key, await this.flight(key, () => this.fromOrigin(key, () => load(key), false, tombstone)));
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

  /** This container's copy of `key` while its memory TTL lasts (an expired one is forgotten). */
  private fresh(key: string, now: number): CacheEntry | undefined {
    const local = this.memory.get(key);
    if (local && local.until <= now) this.memory.delete(key);
    return local && local.until > now ? local.entry : undefined;
  }

  /** One origin read per key in this container at a time: concurrent misses share it. */
  private flight(key: string, attempt: () => Promise<CacheResult | undefined>): Promise<CacheResult | undefined> {
    const pending = this.inflight.get(key);
    if (pending) return pending;
    const started = attempt().finally(() => this.inflight.delete(key));
    this.inflight.set(key, started);
    return started;
  }

  private async fill(
    key: string,
    load: () => Promise<Loaded | undefined>,
    skipShared: boolean,
    /** A tombstone this container holds for the key. */
    known?: CacheEntry,
  ): Promise<CacheResult | undefined> {
    if (skipShared) return this.fromOrigin(key, load, true, known, known);
    const seqAtStart = this.seq ?? 0;
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
    if (!shared.tombstone && shared.generation === this.generation) {
      // A change applied while this read was out may have been about this very entry: serve it, keep nothing.
      if ((this.droppedAt.get(key) ?? -1) <= seqAtStart) this.remember(key, shared, "refill");
      this.options.recorder?.cacheAccess(true, "shared", this.options.backendOf?.(key));
      return { served: { value: shared.value, version: shared.version, cacheable: true, tier: "shared" } };
    }
    // A tombstone: the key is sensitive or deleted at that version; remember that here too.
    if (shared.tombstone) {
      this.remember(key, shared, "refill");
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
      this.keep(key, tombstone);
      return { ...loaded, tier: "origin" };
    }
    if (!loaded.cacheable && (!skipShared || (known && !(await this.servable(key, loaded.version))))) {
      // The shared tier holds no value of the key anyone may serve (just read, or asked now because this
      // container knew an older tombstone): a tombstone there would block nothing. This container alone
      // remembers it. (A hot sensitive key written often would otherwise take a refused conditional
      // write from every container at every version.)
      this.keep(key, this.entry(key, { value: "", version: loaded.version, tombstone: true }, now));
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
    this.memory.set(key, { entry, until: now + this.memoryTtlMs });
    await this.store.announce([{ key, version: Number.MAX_SAFE_INTEGER }]);
  }

  /** Forgets a key in both tiers (Vault said 404 or 409 and its current version is not known). */
  async drop(key: string): Promise<void> {
    this.memory.delete(key);
    if (await this.store.delete(key)) await this.store.announce([{ key, version: Number.MAX_SAFE_INTEGER }]);
  }

  private entry(key: string, e: { value: string; version: number; tombstone: boolean }, now: number): CacheEntry {
    return {
      key,
      value: e.value,
      version: e.version,
      storedAt: now,
      expiresAtMs: now + this.options.ttlMs,
      generation: this.generation,
      tombstone: e.tombstone,
      purged: false,
    };
  }

  private async write(
    key: string,
    e: { value: string; version: number; tombstone: boolean },
    write: CacheWrite,
  ): Promise<boolean> {
    const now = this.clock.now();
    const entry = this.entry(key, e, now);
    const outcome = await this.store.put(entry, write, now);
    const stored = outcome !== "refused";
    // The shared tier's answer decides: memory never holds what the shared tier refused.
    if (stored) this.remember(key, entry, write);
    else if (write === "advance") this.memory.delete(key);
    // Other containers may hold the value this replaced: they drop it at their next check.
    if (outcome === "superseded") await this.store.announce([{ key, version: entry.version }]);
    return stored;
  }

  /** Forgets every key that starts with one of `prefixes` in the shared tier and here; returns how many. */
  async invalidatePrefix(...prefixes: string[]): Promise<number> {
    const matches = (key: string) => prefixes.some((prefix) => key.startsWith(prefix));
    for (const key of this.memory.keys()) if (matches(key)) this.memory.delete(key);
    const doomed = (await this.store.all()).filter((e) => matches(e.key) && !e.tombstone);
    await this.store.deleteMany(doomed.map((e) => e.key));
    await this.announceAll(doomed);
    return doomed.length;
  }

  /** Announces changes in lists the shared sync item keeps whole. */
  private async announceAll(entries: Array<{ key: string; version: number }>): Promise<void> {
    for (let i = 0; i < entries.length; i += CHANGES_KEPT)
      await this.store.announce(entries.slice(i, i + CHANGES_KEPT).map((e) => ({ key: e.key, version: e.version })));
  }

  /**
   * Empties both tiers here and, through the generation, every other container's L1. Tombstones
   * stay: a slow reader must not bring back a value a writer replaced, even across a clear.
   */
  async clear(): Promise<{ removed: number; generation: number }> {
    const generation = await this.store.bumpGeneration();
    const entries = (await this.store.all()).filter((e) => !e.tombstone);
    await this.store.deleteMany(entries.map((e) => e.key));
    for (const [key, local] of this.memory) if (!local.entry.tombstone) this.memory.delete(key);
    this.generation = generation;
    this.generationCheckedAt = this.clock.now();
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
    const { generation } = await this.store.sync();
    const now = this.clock.now();
    const entries = await this.store.all();
    const dead = entries.filter((e) => e.expiresAtMs <= now || (e.generation !== generation && !e.tombstone));
    await this.store.deleteMany(dead.map((e) => e.key));
    for (const [key, local] of this.memory) if (local.until <= now) this.memory.delete(key);
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
        if (await this.store.deleteIfVersion(e.key, e.version)) {
          counts.stale++;
          this.memory.delete(e.key);
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
      const backend = this.options.backendOf?.(e.key) ?? "vault";
      record.values[backend] = (record.values[backend] ?? 0) + 1;
      record.oldestStoredAt = Math.min(record.oldestStoredAt ?? e.storedAt, e.storedAt);
    }
    await this.store.recordSweep(record);
    return record;
  }

  lastSweep(): Promise<SweepRecord | undefined> {
    return this.store.lastSweep();
  }

  /** Holds `entry` in memory for another memory TTL (never past its own expiry). */
  private keep(key: string, entry: CacheEntry): void {
    const max = this.options.maxMemoryEntries ?? 5_000;
    this.memory.delete(key);
    if (this.memory.size >= max) {
      // Map order is insertion order: the first key is the least recently stored.
      const oldest = this.memory.keys().next();
      if (!oldest.done) this.memory.delete(oldest.value);
    }
    this.memory.set(key, { entry, until: Math.min(this.clock.now() + this.memoryTtlMs, entry.expiresAtMs) });
  }

  private remember(key: string, entry: CacheEntry, write: CacheWrite): void {
    const now = this.clock.now();
    const current = this.memory.get(key);
    if (!mayReplace(current && current.until > now ? current.entry : undefined, entry, write, now)) return;
    this.keep(key, entry);
  }

  private async syncGeneration(): Promise<void> {
    const now = this.clock.now();
    if (now - this.generationCheckedAt < this.options.generationCheckMs) return;
    const sync = await this.store.sync();
    this.generationCheckedAt = now;
    const dropValues = () => {
      for (const [key, local] of this.memory) if (!local.entry.tombstone) this.memory.delete(key);
    };
    if (sync.generation !== this.generation) {
      dropValues();
      this.generation = sync.generation;
    } else if (this.seq !== undefined && sync.seq > this.seq) {
      const first = sync.seq - sync.changes.length + 1;
      if (first > this.seq + 1) {
        // More changes than the list keeps since this container last looked: drop every copy.
        dropValues();
      } else {
        for (const [i, change] of sync.changes.entries()) {
          if (first + i <= this.seq) continue;
          this.memory.delete(change.key);
          this.droppedAt.set(change.key, first + i);
        }
        if (this.droppedAt.size > 4 * CHANGES_KEPT) {
          for (const [key, at] of this.droppedAt) if (at < sync.seq - CHANGES_KEPT) this.droppedAt.delete(key);
        }
      }
    }
    this.seq = sync.seq;
  }
}
