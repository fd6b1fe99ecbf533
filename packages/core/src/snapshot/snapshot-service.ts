import { createHash, randomBytes } from "node:crypto";
import type { Actor, AuditLog } from "../audit/audit-log";
import { type Clock, systemClock } from "../clock";
import { pool } from "../concurrency";
import type { ConfigBackend } from "../config/backends";
import { NotFoundError, SnapshotIntegrityError } from "../errors";
import type { Logger } from "../logger";
import { type KeyProvider, open, seal } from "./envelope";
import type {
  Progress,
  SnapshotEntry,
  SnapshotManifest,
  SnapshotPayload,
  SnapshotType,
  SnapshotVersion,
} from "./model";
import { type RestoreReport, SnapshotRestorer } from "./restore";
import type { SnapshotRecords } from "./snapshot-records";
import type { SnapshotStorage } from "./storage";

export interface SnapshotDeps {
  /**
   * The backends a snapshot covers, Vault first: each one's tree is exported, and each restored path
   * goes through its backend's one write path, moving the cache forward like any other change.
   */
  backends: ConfigBackend[];
  records: SnapshotRecords;
  storage: SnapshotStorage;
  keys: KeyProvider;
  audit: AuditLog;
  logger: Logger;
  mount: string;
  retentionDays: number;
  clock?: Clock;
}

/**
 * Backup and recovery: a logical, encrypted export of the KV v2 tree (and of the Secrets Manager
 * configurations when a scope is routed there) with a manifest; list, verify, restore (dry run
 * first, then check-and-set writes), delete and retention cleanup.
 */
export class SnapshotService {
  private readonly clock: Clock;

  constructor(private readonly deps: SnapshotDeps) {
    this.clock = deps.clock ?? systemClock;
  }
  /** The backend of a snapshot entry; Vault's for entries without one. */
  backendOf(entry: { backend?: string | undefined }): ConfigBackend | undefined {
    return this.deps.backends.find((b) => b.name === (entry.backend ?? "vault"));
  }

  /** Every secret path under `prefix` in one backend (Vault by default), depth first, sorted. */
  async listPaths(prefix = "", backend = this.deps.backends[0] as ConfigBackend): Promise<string[]> {
    const out: string[] = [];
    const walk = async (folder: string) => {
      for (const key of (await backend.kv.listEntries(folder)).sort()) {
        if (key.endsWith("/")) await walk(`${folder}${key}`);
        else out.push(`${folder}${key}`);
      }
    };
    await walk(prefix && !prefix.endsWith("/") ? `${prefix}/` : prefix);
    return out;
  }

  private async exportEntry(
    backend: ConfigBackend,
    path: string,
    type: SnapshotType,
  ): Promise<SnapshotEntry | undefined> {
    const meta = await backend.kv.metadata(path);
    if (!meta) return undefined;
    // Live versions: a deletion time in the future (delete_version_after) is still live.
    const live = meta.versions.filter((v) => !v.deleted && !v.destroyed).sort((a, b) => a.version - b.version);
    const wanted = type === "full_versions" ? live : live.filter((v) => v.version === meta.currentVersion);
    const versions: SnapshotVersion[] = [];
    for (const v of wanted) {
      const read = await backend.kv.read(path, v.version);
      if (read) versions.push({ version: v.version, created_time: v.created_at, data: read.data });
    }
    return {
      path,
      ...(backend.name === "vault" ? {} : { backend: backend.name }),
      current_version: meta.currentVersion,
      custom_metadata: meta.customMetadata,
      versions,
    };
  }

  async create(
    options: { type?: SnapshotType; prefix?: string; retentionDays?: number },
    actor: Actor,
    progress?: Progress,
  ): Promise<SnapshotManifest> {
    const started = this.clock.now();
    const createdAt = new Date(started).toISOString();
    const type = options.type ?? "full";
    const prefix = options.prefix ?? "";
    const id = `snap-${createdAt.replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")}-${randomBytes(3).toString("hex")}`;
    const retentionDays = options.retentionDays ?? this.deps.retentionDays;
    const base = {
      id,
      created_at: createdAt,
      type,
      mount: this.deps.mount,
      prefix,
      retention_days: retentionDays,
      expires_at: new Date(started + retentionDays * 86_400_000).toISOString(),
      storage: this.deps.storage.kind,
    };
    let manifest: SnapshotManifest;
    try {
      manifest = {
        ...base,
        ...(await this.export(id, type, prefix, createdAt, progress)),
        duration_ms: this.clock.now() - started,
      };
    } catch (error) {
      // A failed snapshot is listed as failed (status filter), with what went wrong, never as a silent gap.
      const message = error instanceof Error ? error.message.slice(0, 300) : "snapshot failed";
      await this.saveManifest({
        ...base,
        path_count: 0,
        version_count: 0,
        size_bytes: 0,
        sha256: "",
        plaintext_sha256: "",
        status: "failed",
        error: message,
        location: "",
        key_id: "",
        duration_ms: this.clock.now() - started,
      }).catch(() => {});
      await this.deps.audit
        .record(
          { operation: "snapshot_create", path: `${this.deps.mount}/${prefix}`, success: false, error: message },
          actor,
        )
        .catch(() => {});
      throw error;
    }
    await this.saveManifest(manifest);
    await this.deps.audit.record(
      { operation: "snapshot_create", path: `${this.deps.mount}/${prefix}`, success: true },
      actor,
    );
    this.deps.logger.info("snapshot created", { id, paths: manifest.path_count, bytes: manifest.size_bytes });
    return manifest;
  }

  /** Exports, encrypts and stores the tree; the figures of the manifest. */
  private async export(id: string, type: SnapshotType, prefix: string, createdAt: string, progress?: Progress) {
    const paths: Array<{ backend: ConfigBackend; path: string }> = [];
    for (const backend of this.deps.backends)
      for (const path of await this.listPaths(prefix, backend)) paths.push({ backend, path });
    let done = 0;
    const entries = (
      await pool(paths, 8, async (p) => {
        const entry = await this.exportEntry(p.backend, p.path, type);
        done++;
        if (done % 100 === 0 || done === paths.length) progress?.(done, paths.length, "export");
        return entry;
      })
    ).filter((e): e is SnapshotEntry => e !== undefined && e.versions.length > 0);
    const payload: SnapshotPayload = {
      format: 1,
      mount: this.deps.mount,
      prefix,
      created_at: createdAt,
      type,
      entries,
    };
    const plaintext = Buffer.from(JSON.stringify(payload));
    const blob = await seal(plaintext, this.deps.keys);
    const location = await this.deps.storage.put(id, blob);
    return {
      path_count: entries.length,
      version_count: entries.reduce((n, e) => n + e.versions.length, 0),
      size_bytes: blob.length,
      sha256: createHash("sha256").update(blob).digest("hex"),
      plaintext_sha256: createHash("sha256").update(plaintext).digest("hex"),
      status: "completed" as const,
      location,
      key_id: this.deps.keys.keyId,
    };
  }

  private saveManifest(manifest: SnapshotManifest): Promise<void> {
    return this.deps.records.saveManifest(manifest);
  }

  async get(id: string): Promise<SnapshotManifest> {
    const manifest = await this.deps.records.manifest(id);
    if (!manifest) throw new NotFoundError("Snapshot not found", { details: id });
    return manifest;
  }

  async list(filter: { type?: string | undefined; status?: string | undefined } = {}): Promise<SnapshotManifest[]> {
    return (await this.deps.records.manifests())
      .filter(
        (m) => (filter.type ? m.type === filter.type : true) && (filter.status ? m.status === filter.status : true),
      )
      .sort((a, b) => b.created_at.localeCompare(a.created_at));
  }

  /** Decrypts and checks the blob's hash, the plaintext hash and every entry. */
  async load(manifest: SnapshotManifest): Promise<SnapshotPayload> {
    const blob = await this.deps.storage.get(manifest.id);
    const sha = createHash("sha256").update(blob).digest("hex");
    if (sha !== manifest.sha256) {
      throw new SnapshotIntegrityError("Snapshot hash does not match its manifest: the file was modified", {
        details: `expected ${manifest.sha256.slice(0, 16)}..., got ${sha.slice(0, 16)}...`,
      });
    }
    const plaintext = await open(blob, this.deps.keys);
    if (createHash("sha256").update(plaintext).digest("hex") !== manifest.plaintext_sha256) {
      throw new SnapshotIntegrityError("Snapshot content hash does not match its manifest");
    }
    let payload: SnapshotPayload;
    try {
      payload = JSON.parse(plaintext.toString("utf8")) as SnapshotPayload;
    } catch {
      throw new SnapshotIntegrityError("Snapshot content is not valid JSON");
    }
    const bad = (payload.entries ?? []).findIndex(
      (e) =>
        typeof e.path !== "string" ||
        (e.backend !== undefined && e.backend !== "aws") ||
        !Array.isArray(e.versions) ||
        e.versions.some((v) => typeof v.version !== "number" || typeof v.data !== "object" || v.data === null),
    );
    if (payload.format !== 1 || bad >= 0) {
      throw new SnapshotIntegrityError("Snapshot content is malformed", {
        details: bad >= 0 ? `entry ${bad}` : "format",
      });
    }
    if (payload.entries.length !== manifest.path_count) {
      throw new SnapshotIntegrityError("Snapshot entry count does not match its manifest", {
        details: `${payload.entries.length} entries, manifest says ${manifest.path_count}`,
      });
    }
    return payload;
  }

  async verify(
    id: string,
  ): Promise<{ id: string; valid: true; path_count: number; version_count: number; sha256: string }> {
    const manifest = await this.get(id);
    const payload = await this.load(manifest);
    return {
      id,
      valid: true,
      path_count: payload.entries.length,
      version_count: payload.entries.reduce((n, e) => n + e.versions.length, 0),
      sha256: manifest.sha256,
    };
  }

  /**
   * Plans (dry run) or performs a restore (see SnapshotRestorer): the plan is kept for an hour and
   * the real restore writes against the versions it showed.
   */
  restore(
    id: string,
    options: { dryRun: boolean; planId?: string | undefined; force?: boolean },
    actor: Actor,
    progress?: Progress,
  ): Promise<RestoreReport> {
    return new SnapshotRestorer(this, this.deps, this.clock).restore(id, options, actor, progress);
  }

  async delete(id: string, actor: Actor): Promise<void> {
    const manifest = await this.get(id);
    await this.deps.storage.delete(manifest.id);
    await this.deps.records.deleteManifest(id);
    await this.deps.audit.record({ operation: "snapshot_delete", path: id, success: true }, actor);
  }

  /** Deletes the snapshots whose retention has ended, and only those. */
  async cleanup(actor: Actor): Promise<{ deleted: string[]; kept: number }> {
    const now = this.clock.now();
    const all = await this.list();
    const expired = all.filter((m) => Date.parse(m.expires_at) <= now);
    for (const m of expired) await this.delete(m.id, actor);
    return { deleted: expired.map((m) => m.id), kept: all.length - expired.length };
  }

  async latest(): Promise<SnapshotManifest | undefined> {
    return (await this.list({ status: "completed" }))[0];
  }
}
