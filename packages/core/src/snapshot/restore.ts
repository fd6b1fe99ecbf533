import { randomBytes } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";
import type { Actor, AuditLog } from "../audit/audit-log";
import type { Clock } from "../clock";
import { pool } from "../concurrency";
import type { ConfigBackend } from "../config/backends";
import { SENSITIVE_MARK, stableJson } from "../config/kv-store";
import { NotFoundError, PayloadTooLargeError, VersionConflictError } from "../errors";
import type { Logger } from "../logger";
import type { Progress, SnapshotManifest, SnapshotPayload, SnapshotVersion } from "./model";
import type { SnapshotRecords } from "./snapshot-records";

/** A path's entry in a stored plan: Secrets Manager paths carry their backend. */
const planKey = (item: { path: string; backend?: string | undefined }) =>
  item.backend ? `${item.backend}:${item.path}` : item.path;

/** A restore plan's id, as `savePlan` makes it (`?plan_id=` is checked against this). */
export const PLAN_ID_PATTERN = /^plan-[0-9a-f]{16}$/;

export interface RestorePlanItem {
  path: string;
  /** `aws` for a Secrets Manager configuration; absent for Vault. */
  backend?: "aws";
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

/** What a restore reads of the snapshots (the snapshot service): a manifest, its checked payload, an entry's backend. */
export interface SnapshotSource {
  get(id: string): Promise<SnapshotManifest>;
  load(manifest: SnapshotManifest): Promise<SnapshotPayload>;
  backendOf(entry: { backend?: string | undefined }): ConfigBackend | undefined;
}

/**
 * A restore: a dry run plans it (create / change / unchanged per path, against the version it saw)
 * and keeps the plan an hour; the real restore takes that plan and writes each path with
 * check-and-set against the version the plan showed, through the one write path, so a path changed
 * since the plan is refused (409 in its item), never overwritten, unless `force`. Without a plan it
 * plans and writes in one pass.
 */
export class SnapshotRestorer {
  constructor(
    private readonly snapshots: SnapshotSource,
    private readonly deps: { records: SnapshotRecords; audit: AuditLog; logger: Logger },
    private readonly clock: Clock,
  ) {}

  private async currentData(
    backend: ConfigBackend,
    path: string,
  ): Promise<{ version: number; data: Record<string, unknown> | null } | null> {
    const current = await backend.kv.current(path);
    if (!current) return null;
    if (current.deleted || current.destroyed) return { version: current.version, data: null };
    const read = await backend.kv.read(path, current.version);
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
    await this.deps.records.savePlan(id, body, expiresAtMs);
    return { id, expiresAt: new Date(expiresAtMs).toISOString() };
  }

  private async loadPlan(snapshotId: string, planId: string): Promise<StoredPlan> {
    const item = await this.deps.records.plan(planId);
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
    const manifest = await this.snapshots.get(id);
    // The plan first: a missing or expired one is refused before the snapshot is fetched and decrypted.
    const plan = !options.dryRun && options.planId ? await this.loadPlan(id, options.planId) : undefined;
    const payload = await this.snapshots.load(manifest);
    const report: RestoreReport = {
      snapshot_id: id,
      dry_run: options.dryRun,
      summary: { create: 0, change: 0, unchanged: 0, conflicts: 0, failed: 0 },
      items: [],
    };
    let done = 0;
    const items = await pool(payload.entries, 8, async (entry) => {
      const latest = entry.versions[entry.versions.length - 1] as SnapshotVersion;
      const planned = plan?.items[planKey(entry)];
      const backend = this.snapshots.backendOf(entry);
      if (!backend) {
        // A Secrets Manager entry while CONFIG_BACKENDS routes nothing there: reported, never written elsewhere.
        return {
          path: entry.path,
          ...(entry.backend ? { backend: entry.backend } : {}),
          action: "create" as const,
          current_version: null,
          outcome: "failed" as const,
          error: `the ${entry.backend} backend is not set up here (CONFIG_BACKENDS)`,
        };
      }
      const current =
        planned && !options.force ? undefined : await backend.scope.within(() => this.currentData(backend, entry.path));
      const action: RestorePlanItem["action"] =
        planned?.action ??
        (!current || current.data === null
          ? "create"
          : stableJson(current.data) === stableJson(latest.data)
            ? "unchanged"
            : "change");
      // With a plan, against the version it showed; forced (or without a plan), against what is there now.
      const against = planned && !options.force ? planned.version : (current?.version ?? null);
      const item: RestoreReport["items"][number] = {
        path: entry.path,
        ...(entry.backend ? { backend: entry.backend } : {}),
        action,
        current_version: against,
      };
      if (!options.dryRun && action !== "unchanged") {
        try {
          // Into a path that did not exist, every captured version is replayed in order; else only the latest.
          const writes = action === "create" && against === null ? entry.versions : [latest];
          let cas = against ?? 0;
          // A key the snapshot saw marked sensitive is marked again before its plain versions come back.
          const marked = entry.custom_metadata?.[SENSITIVE_MARK.vault] === "true";
          for (const [i, v] of writes.entries()) {
            cas = (
              await backend.scope.within(() =>
                backend.store.write(
                  entry.path,
                  v.data,
                  cas,
                  marked ? (i === 0 ? { mark: true } : { marked: true }) : {},
                ),
              )
            ).version;
          }
          item.outcome = action === "create" ? "created" : "changed";
        } catch (error) {
          item.outcome = error instanceof VersionConflictError ? "conflict" : "failed";
          if (error instanceof VersionConflictError) item.status = 409;
          item.error =
            error instanceof VersionConflictError && plan
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
        items: Object.fromEntries(items.map((i) => [planKey(i), { action: i.action, version: i.current_version }])),
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
}
