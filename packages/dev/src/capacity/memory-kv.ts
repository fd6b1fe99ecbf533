import type { KvMetadata, KvSecret, KvStore, KvVersionInfo } from "@vaultops/core";
import { VersionConflictError } from "@vaultops/core";

/**
 * KV v2 as Vault keeps it, in memory: versions per path, check-and-set, soft delete, destroy, the
 * sensitive mark. The capacity model's Vault (it counts the reads it answers) and the unit tests'.
 */
interface StoredVersion {
  data: Record<string, unknown>;
  createdAt: string;
  deletionTime: string | null;
  destroyed: boolean;
}

export class MemoryKv implements KvStore {
  readonly mount = "secret";
  readonly paths = new Map<string, StoredVersion[]>();
  /** The keys of each folder (a list reads one folder, not every path). */
  private readonly folders = new Map<string, Set<string>>();
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
    this.store(path, versions);
    return { version: versions.length, createdAt };
  }

  /** Another Vault client writing, without check-and-set. */
  external(path: string, data: Record<string, unknown>) {
    const versions = this.paths.get(path) ?? [];
    versions.push({ data, createdAt: new Date(this.now()).toISOString(), deletionTime: null, destroyed: false });
    this.store(path, versions);
  }

  private store(path: string, versions: StoredVersion[]) {
    this.paths.set(path, versions);
    const slash = path.lastIndexOf("/");
    const folder = this.folders.get(path.slice(0, slash)) ?? new Set<string>();
    folder.add(path.slice(slash + 1));
    this.folders.set(path.slice(0, slash), folder);
  }

  async list(folder: string) {
    return [...(this.folders.get(folder) ?? [])].sort();
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
    const slash = path.lastIndexOf("/");
    this.folders.get(path.slice(0, slash))?.delete(path.slice(slash + 1));
  }
  async markSensitive(path: string, sensitive: boolean) {
    if (!this.paths.has(path)) throw new Error(`no such key ${path}`);
    if (sensitive) this.marked.add(path);
    else this.marked.delete(path);
  }
}
