import * as z from "zod/mini";
import type { Actor } from "../audit/audit-log";
import { pool } from "../concurrency";
import { BackendNotConfiguredError, ValidationError, VaultopsError, VersionConflictError } from "../errors";
import { shortHash } from "../hash";
import type { ConfigActivity } from "./activity";
import type { BackendRouter, ConfigBackend } from "./backends";
import { stableJson } from "./kv-store";
import { BACKENDS, type BackendName } from "./routing";
import { isSensitive, ownShape } from "./shape";
import { KEY_PATTERN, NAME_PATTERN, parseInput } from "./validation";

const backendName = (field: string) =>
  z.enum(BACKENDS as [BackendName, ...BackendName[]], { error: `${field} must be one of ${BACKENDS.join(", ")}` });
const scopeName = (field: string) =>
  z.string({ error: `${field} is required` }).check(z.regex(NAME_PATTERN, `${field} must be a safe name`));

const copyFields = z.object({
  environment: scopeName("environment"),
  service_name: scopeName("service_name"),
  from: backendName("from"),
  to: backendName("to"),
  /** The plan (the default) or the copy itself. */
  dry_run: z._default(z.boolean({ error: "dry_run must be true or false" }), true),
  /** Replace target values that differ (else they are reported and left alone). */
  overwrite: z._default(z.boolean({ error: "overwrite must be true or false" }), false),
  /**
   * The target versions a dry run showed (`key -> version`, 0 for absent): the copy writes against
   * exactly these, so a key changed since the plan is a conflict, never overwritten.
   */
  expected: z.optional(
    z.record(
      z.string(),
      z.number({ error: "expected versions are integers" }).check(z.int(), z.minimum(0, "expected versions are >= 0")),
    ),
  ),
});
export type CopyRequest = z.infer<typeof copyFields>;

/** The request as documented: one of the two directions (from and to are never the same backend). */
export const copyRequestSchema = z.union([
  z.object({ ...copyFields.shape, from: z.literal("vault"), to: z.literal("aws") }),
  z.object({ ...copyFields.shape, from: z.literal("aws"), to: z.literal("vault") }),
]);

/** Parses a copy request with a message per field (a union's own error says only "invalid input"). */
export function parseCopyRequest(body: unknown): CopyRequest {
  const request = parseInput(copyFields, body);
  if (request.from === request.to)
    throw new ValidationError("Invalid request", {
      details: `from and to are both ${request.from}: copy between two backends`,
    });
  return parseInput(copyRequestSchema, request);
}

export interface CopyItem {
  key: string;
  /**
   * create: absent in the target; update: differs and `overwrite`; differs: left alone; invalid: a name
   * the API refuses (another client's), never copied: it could never be read or changed through the API.
   */
  action: "create" | "update" | "unchanged" | "differs" | "invalid";
  source_version: number;
  /** The target's current version (a deleted one counts: the write goes after it); 0 when absent. */
  target_version: number;
  is_encrypted: boolean;
  /** First 8 bytes of SHA-256 of the value: how a value is shown (never the value itself). */
  value_sha256_prefix: string;
  outcome?: "created" | "updated" | "unchanged" | "skipped" | "conflict" | "failed";
  status?: number;
  error?: string;
}

export interface CopyReport {
  environment: string;
  service_name: string;
  from: BackendName;
  to: BackendName;
  /** The backend that serves the scope now (CONFIG_BACKENDS): switch it after the copy. */
  routed_to: BackendName;
  dry_run: boolean;
  summary: Record<CopyItem["action"], number> & { conflicts: number; failed: number };
  items: CopyItem[];
}

/**
 * Moves one service's configurations between backends: a plan first (dry run), then check-and-set
 * writes of each value exactly as it is (shape, sensitivity, created_at), through the target's one
 * write path, audited as `copy`. A rerun finds every key unchanged and writes nothing. The routing
 * does not change: CONFIG_BACKENDS is switched once the copy is done.
 */
export class ConfigCopy {
  constructor(private readonly deps: { backends: BackendRouter; activity: ConfigActivity }) {}

  private backend(name: BackendName): ConfigBackend {
    if (!this.deps.backends.has(name))
      throw new BackendNotConfiguredError(`The ${name} backend is not set up`, {
        details: `CONFIG_BACKENDS routes nothing to ${name}; add a rule for it (it may route a scope nobody uses)`,
      });
    return this.deps.backends.byName(name);
  }

  async copy(request: CopyRequest, actor: Actor): Promise<CopyReport> {
    const source = this.backend(request.from);
    const target = this.backend(request.to);
    const folder = `${request.environment}/${request.service_name}`;
    const keys = (await source.scope.within(() => source.kv.list(folder))).sort();
    const items = await pool(keys, 4, (key) => this.copyOne(source, target, folder, key, request, actor));
    const present = items.filter((i): i is CopyItem => i !== undefined);
    const summary = { create: 0, update: 0, unchanged: 0, differs: 0, invalid: 0, conflicts: 0, failed: 0 };
    for (const item of present) {
      summary[item.action]++;
      if (item.outcome === "conflict") summary.conflicts++;
      if (item.outcome === "failed") summary.failed++;
    }
    return {
      environment: request.environment,
      service_name: request.service_name,
      from: request.from,
      to: request.to,
      routed_to: this.deps.backends.for(request).name,
      dry_run: request.dry_run,
      summary,
      items: present,
    };
  }

  private async copyOne(
    source: ConfigBackend,
    target: ConfigBackend,
    folder: string,
    key: string,
    request: CopyRequest,
    actor: Actor,
  ): Promise<CopyItem | undefined> {
    const path = `${folder}/${key}`;
    if (!KEY_PATTERN.test(key))
      return {
        key,
        action: "invalid",
        source_version: 0,
        target_version: 0,
        is_encrypted: true,
        value_sha256_prefix: "",
        ...(request.dry_run ? {} : { outcome: "skipped" as const }),
        status: 400,
        error:
          "a key name the API refuses (1-128 of letters, digits, '_', '-', '.'; not 'status' or 'copy'): not copied",
      };
    const from = await source.scope.within(() => source.kv.read(path));
    // Listed but its current version is deleted: nothing to copy.
    if (!from) return undefined;
    const { current, data } = await target.scope.within(async () => {
      const meta = await target.kv.current(path);
      const live = meta && !meta.deleted && !meta.destroyed ? await target.kv.read(path, meta.version) : undefined;
      return { current: meta?.version ?? 0, data: live?.data };
    });
    const own = ownShape(from.data);
    const value = own ? own.value : stableJson(from.data);
    const item: CopyItem = {
      key,
      action: !data
        ? "create"
        : stableJson(data) === stableJson(from.data)
          ? "unchanged"
          : request.overwrite
            ? "update"
            : "differs",
      source_version: from.version,
      target_version: current,
      is_encrypted: isSensitive(from.data) || from.keySensitive === true,
      value_sha256_prefix: shortHash(value),
    };
    if (request.dry_run) return item;
    if (item.action === "unchanged" || item.action === "differs") {
      item.outcome = item.action === "unchanged" ? "unchanged" : "skipped";
      return item;
    }
    const ref = { environment: request.environment, service_name: request.service_name, key };
    const expected = request.expected?.[key];
    try {
      if (expected !== undefined && expected !== current)
        throw new VersionConflictError("changed in the target since the plan; not copied", {
          details: `${path}: planned against version ${expected}, now ${current}`,
        });
      // A key marked sensitive on the source is marked on the target: its history's plain versions stay guarded.
      const written = await target.scope.within(() =>
        target.store.write(path, from.data, expected ?? current, { mark: from.keySensitive === true }),
      );
      item.outcome = item.action === "create" ? "created" : "updated";
      await this.deps.activity.changed(
        ref,
        "config.copied",
        actor,
        { operation: "copy", keyHash: item.value_sha256_prefix, version: written.version },
        { version: written.version, from: request.from, to: request.to, is_encrypted: item.is_encrypted },
      );
    } catch (error) {
      item.outcome = error instanceof VersionConflictError ? "conflict" : "failed";
      item.status = error instanceof VaultopsError ? error.status : 500;
      item.error = error instanceof VaultopsError ? error.message : "copy failed";
      await this.deps.activity.failed("copy", ref, actor, error).catch(() => {});
    }
    return item;
  }
}
