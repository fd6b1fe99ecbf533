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
  KvMetadata,
  KvSecret,
  KvStore,
  KvVersionInfo,
  SweepRecord,
} from "@vaultops/core";
import { CHANGES_KEPT, mayReplace, type PutOutcome, VersionConflictError } from "@vaultops/core";

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

interface StoredVersion {
  data: Record<string, unknown>;
  createdAt: string;
  deletionTime: string | null;
  destroyed: boolean;
}

/** KV v2 as Vault keeps it: versions per path, check-and-set, soft delete, destroy. */
export class MemoryKv implements KvStore {
  readonly mount = "secret";
  readonly paths = new Map<string, StoredVersion[]>();
  /** Keys marked sensitive (Vault's custom metadata). */
  readonly marked = new Set<string>();
  /** Runs before a write is applied (a concurrent writer can be simulated here). */
  beforeWrite?: (path: string) => void;
  reads = 0;

  constructor(private readonly now: () => number = Date.now) {}

  private live(v: StoredVersion | undefined) {
    return v && !v.destroyed && !(v.deletionTime && Date.parse(v.deletionTime) <= this.now());
  }

  async read(path: string, version?: number): Promise<KvSecret | undefined> {
    this.reads++;
    const versions = this.paths.get(path) ?? [];
    const n = version ?? versions.length;
    const v = versions[n - 1];
    if (!this.live(v) || !v) return undefined;
    return { data: structuredClone(v.data), version: n, createdAt: v.createdAt, keySensitive: this.marked.has(path) };
  }

  async metadata(path: string): Promise<KvMetadata | undefined> {
    const versions = this.paths.get(path);
    if (!versions) return undefined;
    const infos: KvVersionInfo[] = versions.map((v, i) => ({
      version: i + 1,
      created_at: v.createdAt,
      deletion_time: v.deletionTime,
      deleted: Boolean(v.deletionTime && Date.parse(v.deletionTime) <= this.now()),
      destroyed: v.destroyed,
    }));
    return {
      currentVersion: versions.length,
      createdAt: versions[0]?.createdAt ?? "",
      updatedAt: versions[versions.length - 1]?.createdAt ?? "",
      versions: infos.reverse(),
      customMetadata: null,
      keySensitive: this.marked.has(path),
    };
  }

  async current(path: string): Promise<KvVersionInfo | undefined> {
    const meta = await this.metadata(path);
    return meta?.versions[0];
  }

  async write(path: string, data: Record<string, unknown>, cas: number) {
    this.beforeWrite?.(path);
    const versions = this.paths.get(path) ?? [];
    if (versions.length !== cas) {
      throw new VersionConflictError("Version conflict: the value was changed by another writer", {
        details: `check-and-set parameter did not match the current version`,
      });
    }
    const createdAt = new Date(this.now()).toISOString();
    versions.push({ data: structuredClone(data), createdAt, deletionTime: null, destroyed: false });
    this.paths.set(path, versions);
    return { version: versions.length, createdAt };
  }

  /** Another Vault client writing, without check-and-set. */
  external(path: string, data: Record<string, unknown>) {
    const versions = this.paths.get(path) ?? [];
    versions.push({ data, createdAt: new Date(this.now()).toISOString(), deletionTime: null, destroyed: false });
    this.paths.set(path, versions);
  }

  async list(folder: string) {
    return [...this.paths.keys()]
      .filter((p) => p.startsWith(`${folder}/`) && !p.slice(folder.length + 1).includes("/"))
      .map((p) => p.slice(folder.length + 1))
      .sort();
  }
  async listEntries(folder: string) {
    return this.list(folder.replace(/\/$/, ""));
  }
  async deleteLatest(path: string) {
    const versions = this.paths.get(path) ?? [];
    const last = versions[versions.length - 1];
    if (last) last.deletionTime = new Date(this.now()).toISOString();
  }
  async deleteVersions(path: string, numbers: number[]) {
    for (const n of numbers) {
      const v = this.paths.get(path)?.[n - 1];
      if (v) v.deletionTime = new Date(this.now()).toISOString();
    }
  }
  async destroyAll(path: string) {
    this.paths.delete(path);
    this.marked.delete(path);
  }
  async markSensitive(path: string, sensitive: boolean) {
    if (!this.paths.has(path)) throw new Error(`no such key ${path}`);
    if (sensitive) this.marked.add(path);
    else this.marked.delete(path);
  }
}

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
