import type {
  Actor,
  AuditEntry,
  AuditLog,
  AuditRecord,
  CacheEntry,
  CacheStore,
  CacheWrite,
  DomainEvent,
  EventPublisher,
  SweepRecord,
} from "@vaultops/core";
import { CHANGES_KEPT, mayReplace, type PutOutcome } from "@vaultops/core";

/**
 * In-memory stand-ins for the ports of the core services, for unit tests that start no server.
 * They keep the contracts of the real adapters (conditional cache writes, KV v2 check-and-set).
 */

export class MemoryCacheStore implements CacheStore {
  readonly entries = new Map<string, CacheEntry>();
  private gen = 0;
  private sweep: SweepRecord | undefined;
  calls = 0;

  async get(key: string) {
    this.calls++;
    return this.entries.get(key);
  }
  async getMany(keys: string[]) {
    this.calls++;
    const found = new Map<string, CacheEntry>();
    for (const key of keys) {
      const entry = this.entries.get(key);
      if (entry) found.set(key, entry);
    }
    return found;
  }
  async put(entry: CacheEntry, write: CacheWrite, now: number): Promise<PutOutcome> {
    this.calls++;
    const old = this.entries.get(entry.key);
    if (!mayReplace(old, entry, write, now)) return "refused";
    this.entries.set(entry.key, { ...entry });
    return old && !old.tombstone && old.expiresAtMs > now ? "superseded" : "stored";
  }
  async overwrite(entry: CacheEntry) {
    this.entries.set(entry.key, { ...entry });
  }
  async delete(key: string) {
    const old = this.entries.get(key);
    this.entries.delete(key);
    return old !== undefined && !old.tombstone;
  }
  async deleteIfVersion(key: string, version: number) {
    if (this.entries.get(key)?.version !== version) return false;
    this.entries.delete(key);
    return true;
  }
  async deleteMany(keys: string[]) {
    for (const key of keys) this.entries.delete(key);
  }
  async all() {
    return [...this.entries.values()];
  }
  /** The shared sync item: the generation and the recent changes (all of them kept here). */
  readonly changes: Array<{ key: string; version: number }> = [];
  async sync() {
    return { generation: this.gen, seq: this.changes.length, changes: this.changes.slice(-CHANGES_KEPT) };
  }
  async announce(changes: Array<{ key: string; version: number }>) {
    this.changes.push(...changes);
  }
  async bumpGeneration() {
    return ++this.gen;
  }
  async recordSweep(record: SweepRecord) {
    this.sweep = record;
  }
  async lastSweep() {
    return this.sweep;
  }
}

/** KV v2 in memory: the capacity model's, shared with the unit tests. */
export { MemoryKv } from "../../../packages/dev/src/capacity/memory-kv";

export class MemoryAuditLog implements AuditLog {
  readonly records: AuditRecord[] = [];
  async record(entry: AuditEntry, actor: Actor) {
    const record: AuditRecord = { ...entry, at: new Date().toISOString(), actor: actor.name };
    this.records.push(record);
    return record;
  }
  async recordMany(entries: AuditEntry[], actor: Actor) {
    for (const e of entries) await this.record(e, actor);
  }
  async query() {
    return { items: [...this.records].reverse(), next_cursor: null };
  }
}

export class MemoryEvents implements EventPublisher {
  readonly events: DomainEvent[] = [];
  async publish(event: DomainEvent) {
    this.events.push(event);
  }
}

/** A clock the test moves. */
export const manualClock = (start = Date.parse("2026-01-01T00:00:00Z")) => {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
};
