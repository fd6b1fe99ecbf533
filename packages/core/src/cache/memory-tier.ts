import type { Clock } from "../clock";
import { type CacheEntry, type CacheWrite, mayReplace } from "./cache-entry";
import { type CacheSync, CHANGES_KEPT } from "./shared-tier";

/** The in-process copy of an entry (value or tombstone), served until `until`. */
interface MemoryEntry {
  entry: CacheEntry;
  until: number;
}

/**
 * One container's in-process (L1) tier of the two-tier cache, and this container's view of the shared
 * sync item (the clear generation and the recent changes) that decides which copies it must drop.
 * It makes no calls: the two-tier cache reads the sync item and hands it over (`applySync`).
 */
export class MemoryTier {
  private readonly entries = new Map<string, MemoryEntry>();
  private currentGeneration = 0;
  private generationCheckedAt = Number.NEGATIVE_INFINITY;
  /** The number of the last change this container has applied (undefined before its first check). */
  private seq: number | undefined;
  /** Keys dropped for a change, with the change's number: a read that began before it keeps nothing. */
  private readonly droppedAt = new Map<string, number>();

  constructor(
    private readonly options: {
      clock: Clock;
      /** How long a copy is served here (never past the entry's own expiry, except a purge marker). */
      ttlMs: number;
      generationCheckMs: number;
      maxEntries: number;
    },
  ) {}

  /** The clear generation this container holds: shared values of another generation are not served. */
  get generation(): number {
    return this.currentGeneration;
  }

  /** The number of the last change applied here (0 before the first check). */
  get appliedSeq(): number {
    return this.seq ?? 0;
  }

  /** How many values (not tombstones) are held. */
  get values(): number {
    let n = 0;
    for (const m of this.entries.values()) if (!m.entry.tombstone) n++;
    return n;
  }

  /** This container's copy of `key` while its memory TTL lasts (an expired one is forgotten). */
  fresh(key: string, now: number): CacheEntry | undefined {
    const local = this.entries.get(key);
    if (local && local.until <= now) this.entries.delete(key);
    return local && local.until > now ? local.entry : undefined;
  }

  /** Whether no change about `key` was applied after change number `seq` (when a read began). */
  unchangedSince(key: string, seq: number): boolean {
    return (this.droppedAt.get(key) ?? -1) <= seq;
  }

  /** Holds `entry` in memory for another memory TTL (never past its own expiry). */
  keep(key: string, entry: CacheEntry): void {
    this.entries.delete(key);
    if (this.entries.size >= this.options.maxEntries) {
      // Map order is insertion order: the first key is the least recently stored.
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, {
      entry,
      until: Math.min(this.options.clock.now() + this.options.ttlMs, entry.expiresAtMs),
    });
  }

  /** Keeps `entry` unless what is held here outranks it (the shared tier's ordering). */
  remember(key: string, entry: CacheEntry, write: CacheWrite): void {
    const now = this.options.clock.now();
    const current = this.entries.get(key);
    if (!mayReplace(current && current.until > now ? current.entry : undefined, entry, write, now)) return;
    this.keep(key, entry);
  }

  /** Holds a purge marker for one memory TTL from `now`, whatever was here. */
  hold(key: string, entry: CacheEntry, now: number): void {
    this.entries.set(key, { entry, until: now + this.options.ttlMs });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  /** Forgets every key `matches` accepts. */
  deleteMatching(matches: (key: string) => boolean): void {
    for (const key of this.entries.keys()) if (matches(key)) this.entries.delete(key);
  }

  /** Forgets copies whose memory TTL has ended. */
  deleteExpired(now: number): void {
    for (const [key, local] of this.entries) if (local.until <= now) this.entries.delete(key);
  }

  /** After a clear this container made: values go (tombstones stay), and it holds the new generation. */
  cleared(generation: number, now: number): void {
    this.dropValues();
    this.currentGeneration = generation;
    this.generationCheckedAt = now;
  }

  /** Whether this container's view of the sync item is older than `generationCheckMs`. */
  syncDue(now: number): boolean {
    return now - this.generationCheckedAt >= this.options.generationCheckMs;
  }

  /**
   * Applies the sync item read at `now`: a new generation drops every value; each change since the last
   * one applied drops its key; a container further behind than the list keeps drops every value.
   */
  applySync(sync: CacheSync, now: number): void {
    this.generationCheckedAt = now;
    if (sync.generation !== this.currentGeneration) {
      this.dropValues();
      this.currentGeneration = sync.generation;
    } else if (this.seq !== undefined && sync.seq > this.seq) {
      const first = sync.seq - sync.changes.length + 1;
      if (first > this.seq + 1) {
        // More changes than the list keeps since this container last looked: drop every copy.
        this.dropValues();
      } else {
        for (const [i, change] of sync.changes.entries()) {
          if (first + i <= this.seq) continue;
          this.entries.delete(change.key);
          this.droppedAt.set(change.key, first + i);
        }
        if (this.droppedAt.size > 4 * CHANGES_KEPT) {
          for (const [key, at] of this.droppedAt) if (at < sync.seq - CHANGES_KEPT) this.droppedAt.delete(key);
        }
      }
    }
    this.seq = sync.seq;
  }

  private dropValues(): void {
    for (const [key, local] of this.entries) if (!local.entry.tombstone) this.entries.delete(key);
  }
}
