import { createHash, randomBytes } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";
import { DeleteCommand, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod/mini";
import type { Actor, DynamoAuditLog } from "../audit/audit-log";
import { epochSeconds, queryPartition, type StateTable } from "../aws/state-table";
import { type Clock, systemClock } from "../clock";
import type { ConfigStore } from "../config/config-store";
import { NotFoundError, PayloadTooLargeError, VaultVersionError } from "../errors";
import type { Logger } from "../logger";
import { integer } from "../schema";
import type { VaultGateway } from "../vault/gateway";
import { type KvV2Client, stableJson } from "../vault/kv2";
import { type KeyProvider, open, SnapshotIntegrityError, seal } from "./envelope";
import type { SnapshotStorage } from "./storage";

export type SnapshotType = "full" | "full_versions";

export interface SnapshotManifest {
  id: string;
  created_at: string;
  type: SnapshotType;
  mount: string;
  prefix: string;
  path_count: number;
  version_count: number;
  /** Bytes of the encrypted blob, and its SHA-256. */
  size_bytes: number;
  sha256: string;
  plaintext_sha256: string;
  status: "completed" | "failed";
  error?: string;
  retention_days: number;
  expires_at: string;
  storage: "s3" | "local";
  location: string;
  key_id: string;
  duration_ms: number;
}

interface SnapshotVersion {
  version: number;
  created_time: string;
  data: Record<string, unknown>;
}
interface SnapshotEntry {
  path: string;
  current_version: number;
  custom_metadata: Record<string, string> | null;
  versions: SnapshotVersion[];
}
interface SnapshotPayload {
  format: 1;
  mount: string;
  prefix: string;
  created_at: string;
  type: SnapshotType;
  entries: SnapshotEntry[];
}

export interface RestorePlanItem {
  path: string;
  action: "create" | "change" | "unchanged";
  current_version: number | null;
}
export interface RestoreReport {
  snapshot_id: string;
  dry_run: boolean;
  /** A dry run's plan, to pass to the real restore (`plan_id`): it writes against these versions. */
  plan_id?: string;
  plan_expires_at?: string;
  summary: { create: number; change: number; unchanged: number; conflicts: number; failed: number };
  items: Array<
    RestorePlanItem & {
      outcome?: "created" | "changed" | "unchanged" | "conflict" | "failed";
      /** 409 for a path that changed since the plan (not restored). */
      status?: number;
      error?: string;
    }
  >;
}

/** A stored plan: per path, the action shown and the version it was shown against. */
interface StoredPlan {
  snapshot_id: string;
  items: Record<string, { action: RestorePlanItem["action"]; version: number | null }>;
}

const PLAN_TTL_MS = 3_600_000;
/** Plans are stored gzipped in one item; DynamoDB items hold 400 KB. */
const PLAN_MAX_BYTES = 350_000;

export type Progress = (done: number, total: number, phase: string) => void;

const MANIFESTS = "snapshots";
const PLANS = "restore-plans";

async function pool<T, R>(items: T[], width: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T, index);
    }
  });
  await Promise.all(workers);
  return results;
}

/**
 * Seed 003's backup and recovery: a logical, encrypted export of the KV v2 tree with a manifest;
 * list, verify, restore (dry run first, then check-and-set writes), delete and retention cleanup.
 */
export class SnapshotService {
  private readonly clock: Clock;

  constructor(
    private readonly deps: {
      gateway: VaultGateway;
      kv: KvV2Client;
      /** The one write path: restored paths move the cache forward like any other change. */
      store: ConfigStore;
      table: StateTable;
      storage: SnapshotStorage;
      keys: KeyProvider;
      audit: DynamoAuditLog;
      logger: Logger;
      mount: string;
      retentionDays: number;
      clock?: Clock;
    },
  ) {
    this.clock = deps.clock ?? systemClock;
  }

  /** Every secret path under `prefix`, depth first, sorted. */
  async listPaths(prefix = ""): Promise<string[]> {
    const out: string[] = [];
    const walk = async (folder: string) => {
      for (const key of (await this.deps.kv.listEntries(folder)).sort()) {
        if (key.endsWith("/")) await walk(`${folder}${key}`);
        else out.push(`${folder}${key}`);
      }
    };
    await walk(prefix && !prefix.endsWith("/") ? `${prefix}/` : prefix);
    return out;
  }

  private async exportEntry(path: string, type: SnapshotType): Promise<SnapshotEntry | undefined> {
    const meta = await this.deps.kv.metadata(path);
    if (!meta) return undefined;
    // Live versions: a deletion time in the future (delete_version_after) is still live.
    const live = meta.versions.filter((v) => !v.deleted && !v.destroyed).sort((a, b) => a.version - b.version);
    const wanted = type === "full_versions" ? live : live.filter((v) => v.version === meta.currentVersion);
    const versions: SnapshotVersion[] = [];
    for (const v of wanted) {
      const read = await this.deps.kv.read(path, v.version);
      if (read) versions.push({ version: v.version, created_time: v.created_at, data: read.data });
    }
    return { path, current_version: meta.currentVersion, custom_metadata: meta.customMetadata, versions };
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
    const paths = await this.listPaths(prefix);
    let done = 0;
    const entries = (
      await pool(paths, 8, async (p) => {
        const entry = await this.exportEntry(p, type);
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

  private async saveManifest(manifest: SnapshotManifest): Promise<void> {
    await this.deps.table.run("snapshot manifest write", (c, TableName) =>
      c.send(new PutCommand({ TableName, Item: { pk: MANIFESTS, sk: manifest.id, ...manifest } })),
    );
  }

  async get(id: string): Promise<SnapshotManifest> {
    const out = await this.deps.table.run("snapshot manifest read", (c, TableName) =>
      c.send(new GetCommand({ TableName, Key: { pk: MANIFESTS, sk: id } })),
    );
    if (!out.Item) throw new NotFoundError("Snapshot not found", { details: id });
    const { pk: _pk, sk: _sk, ...manifest } = out.Item;
    return manifest as SnapshotManifest;
  }

  async list(filter: { type?: string | undefined; status?: string | undefined } = {}): Promise<SnapshotManifest[]> {
    const manifests = (await queryPartition(this.deps.table, "snapshot manifest list", MANIFESTS)).map(
      ({ pk: _pk, sk: _sk, ...manifest }) => manifest as unknown as SnapshotManifest,
    );
    return manifests
      .filter(
        (m) => (filter.type ? m.type === filter.type : true) && (filter.status ? m.status === filter.status : true),
      )
      .sort((a, b) => b.created_at.localeCompare(a.created_at));
  }

  /** Decrypts and checks the blob's hash, the plaintext hash and every entry. */
  private async load(manifest: SnapshotManifest): Promise<SnapshotPayload> {
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

  private async currentData(path: string): Promise<{ version: number; data: Record<string, unknown> | null } | null> {
    const current = await this.deps.kv.current(path);
    if (!current) return null;
    if (current.deleted || current.destroyed) return { version: current.version, data: null };
    const read = await this.deps.kv.read(path, current.version);
    return { version: current.version, data: read?.data ?? null };
  }

  private async savePlan(plan: StoredPlan): Promise<{ id: string; expiresAt: string }> {
    const id = `plan-${randomBytes(8).toString("hex")}`;
    const body = gzipSync(JSON.stringify(plan)).toString("base64");
    if (body.length > PLAN_MAX_BYTES) {
      throw new PayloadTooLargeError("The restore plan is too large to keep", {
        details: `${Object.keys(plan.items).length} paths; restore a narrower prefix, or with force=true`,
      });
    }
    const expiresAtMs = this.clock.now() + PLAN_TTL_MS;
    await this.deps.table.run("restore plan write", (c, TableName) =>
      c.send(
        new PutCommand({
          TableName,
          Item: { pk: PLANS, sk: id, body, expiresAtMs, expiresAt: epochSeconds(expiresAtMs) },
        }),
      ),
    );
    return { id, expiresAt: new Date(expiresAtMs).toISOString() };
  }

  private async loadPlan(snapshotId: string, planId: string): Promise<StoredPlan> {
    const out = await this.deps.table.run("restore plan read", (c, TableName) =>
      c.send(new GetCommand({ TableName, Key: { pk: PLANS, sk: planId } })),
    );
    const item = out.Item;
    if (!item || Number(item.expiresAtMs) <= this.clock.now()) {
      throw new NotFoundError("Restore plan not found or expired", {
        details: `${planId}: make a new dry run (plans are kept 1 hour)`,
      });
    }
    const plan = JSON.parse(gunzipSync(Buffer.from(String(item.body), "base64")).toString("utf8")) as StoredPlan;
    if (plan.snapshot_id !== snapshotId) {
      throw new NotFoundError("Restore plan not found for this snapshot", {
        details: `${planId} was made for another snapshot`,
      });
    }
    return plan;
  }

  /**
   * Plans (dry run) or performs a restore. A dry run keeps its plan (1 hour) and answers its
   * `plan_id`; the real restore takes that plan and writes each path with check-and-set against the
   * version the plan showed, so a path changed since the plan is refused (409 in its item), never
   * overwritten, unless `force`. Without a plan, the restore plans and writes in one pass (each write
   * check-and-set against the version it just read).
   */
  async restore(
    id: string,
    options: { dryRun: boolean; planId?: string | undefined; force?: boolean },
    actor: Actor,
    progress?: Progress,
  ): Promise<RestoreReport> {
    const manifest = await this.get(id);
    const payload = await this.load(manifest);
    const plan = !options.dryRun && options.planId ? await this.loadPlan(id, options.planId) : undefined;
    const report: RestoreReport = {
      snapshot_id: id,
      dry_run: options.dryRun,
      summary: { create: 0, change: 0, unchanged: 0, conflicts: 0, failed: 0 },
      items: [],
    };
    let done = 0;
    const items = await pool(payload.entries, 8, async (entry) => {
      const latest = entry.versions[entry.versions.length - 1] as SnapshotVersion;
      const planned = plan?.items[entry.path];
      const current =
        planned && !options.force ? undefined : await this.deps.gateway.within(() => this.currentData(entry.path));
      const action: RestorePlanItem["action"] =
        planned?.action ??
        (!current || current.data === null
          ? "create"
          : stableJson(current.data) === stableJson(latest.data)
            ? "unchanged"
            : "change");
      // With a plan, against the version it showed; forced (or without a plan), against what is there now.
      const against = planned && !options.force ? planned.version : (current?.version ?? null);
      const item: RestoreReport["items"][number] = { path: entry.path, action, current_version: against };
      if (!options.dryRun && action !== "unchanged") {
        try {
          // Into a path that did not exist, every captured version is replayed in order; else only the latest.
          const writes = action === "create" && against === null ? entry.versions : [latest];
          let cas = against ?? 0;
          for (const v of writes) {
            cas = (await this.deps.gateway.within(() => this.deps.store.write(entry.path, v.data, cas))).version;
          }
          item.outcome = action === "create" ? "created" : "changed";
        } catch (error) {
          item.outcome = error instanceof VaultVersionError ? "conflict" : "failed";
          if (error instanceof VaultVersionError) item.status = 409;
          item.error =
            error instanceof VaultVersionError && plan
              ? "changed since the plan; not restored"
              : error instanceof Error
                ? error.message
                : "restore failed";
        }
      } else if (!options.dryRun) {
        item.outcome = "unchanged";
      }
      done++;
      if (done % 100 === 0 || done === payload.entries.length) {
        progress?.(done, payload.entries.length, options.dryRun ? "plan" : "restore");
        this.deps.logger.info("snapshot restore progress", {
          id,
          done,
          total: payload.entries.length,
          dry_run: options.dryRun,
        });
      }
      return item;
    });
    for (const item of items) {
      report.items.push(item);
      report.summary[item.action]++;
      if (item.outcome === "conflict") report.summary.conflicts++;
      if (item.outcome === "failed") report.summary.failed++;
    }
    if (options.dryRun) {
      const saved = await this.savePlan({
        snapshot_id: id,
        items: Object.fromEntries(items.map((i) => [i.path, { action: i.action, version: i.current_version }])),
      });
      report.plan_id = saved.id;
      report.plan_expires_at = saved.expiresAt;
    } else {
      await this.deps.audit.record(
        {
          operation: "snapshot_restore",
          path: `${manifest.mount}/${manifest.prefix}`,
          success: report.summary.failed === 0 && report.summary.conflicts === 0,
          ...(report.summary.conflicts > 0 ? { error: `${report.summary.conflicts} conflicts` } : {}),
        },
        actor,
      );
    }
    return report;
  }

  async delete(id: string, actor: Actor): Promise<void> {
    const manifest = await this.get(id);
    await this.deps.storage.delete(manifest.id);
    await this.deps.table.run("snapshot manifest delete", (c, TableName) =>
      c.send(new DeleteCommand({ TableName, Key: { pk: MANIFESTS, sk: id } })),
    );
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

export const snapshotListQuerySchema = z.object({
  type: z.optional(z.enum(["full", "full_versions"])),
  status: z.optional(z.enum(["completed", "failed"])),
});

export const snapshotCreateSchema = z.object({
  type: z._default(z.enum(["full", "full_versions"]), "full"),
  prefix: z._default(
    // Segments are separated by "/", so the pattern matches in linear time (no nested ambiguity).
    z
      .string()
      .check(
        z.maxLength(512, "prefix is at most 512 characters"),
        z.regex(
          /^(?!.*\.\.)([A-Za-z0-9][A-Za-z0-9_.-]*(\/[A-Za-z0-9][A-Za-z0-9_.-]*)*\/?)?$/,
          "prefix must be a path of safe names, without '..'",
        ),
      ),
    "",
  ),
  retention_days: z.optional(integer("retention_days", 1, 3650)),
});
