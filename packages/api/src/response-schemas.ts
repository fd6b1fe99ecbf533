import * as z from "zod/mini";

/**
 * The monitor routes' bodies are described in core (packages/core/src/monitor/responses.ts), whose
 * methods return the types inferred from them: api imports core (the request schemas), so core
 * cannot import these. The same schema objects, re-exported under their names.
 */
export {
  cacheClearResponse,
  configStatus,
  healthResponse,
  metricsResponse,
  statusResponse,
  tokenRenewResponse,
} from "@vaultops/core";

/**
 * What the API answers, as schemas: the OpenAPI document is generated from these and the request
 * schemas the handlers parse with, and the contract test validates real responses against it.
 * Objects are open: extra fields may be added without breaking clients.
 */
const o = z.looseObject;
const str = z.string();
const num = z.number();
const bool = z.boolean();
const nullable = <T extends z.ZodMiniType>(t: T) => z.nullable(t);

export const errorResponse = o({ error: str, code: str, details: z.optional(str), request_id: z.optional(str) });
/** What API Gateway itself answers for a missing Authorization header or an unknown route. */
export const gatewayError = o({ message: str });

export const configRecord = o({
  id: num,
  key: str,
  /** null for a sensitive value when the token lacks secrets:read; `value_sha256_prefix` then says which. */
  value: nullable(str),
  value_sha256_prefix: z.optional(str),
  environment: str,
  service_name: str,
  is_encrypted: bool,
  version: num,
  created_at: str,
  updated_at: str,
});
export const configList = o({
  items: z.array(configRecord),
  total: num,
  limit: num,
  offset: num,
  has_more: bool,
});
export const configDeleted = o({ message: str, key: str, deleted: bool, version: num, purged: bool });
export const configVersions = o({
  key: str,
  environment: str,
  service_name: str,
  current_version: num,
  versions: z.array(o({ version: num, created_at: str, deleted: bool, destroyed: bool, deletion_time: nullable(str) })),
});
const rotationStatus = o({
  last_rotated_at: nullable(str),
  next_due_at: str,
  last_outcome: nullable(str),
  due: bool,
  overdue: bool,
});
export const rotationPolicy = o({
  path: str,
  environment: str,
  service_name: str,
  key: str,
  interval_days: num,
  grace_period_hours: num,
  auto_rotate: bool,
  status: rotationStatus,
});
export const rotationDeleted = o({ message: str, key: str });
export const rotateResponse = o({
  message: str,
  key: str,
  version: num,
  previous_version: num,
  is_encrypted: bool,
  made_sensitive: bool,
  rotated_at: str,
});
export const rotationHistory = o({
  key: str,
  history: z.array(o({ at: str, outcome: str, trigger: str, actor: str })),
});
export const rotationStatusAll = o({ policies: z.array(rotationPolicy), total: num, due: num, overdue: num });

export const snapshotManifest = o({
  id: str,
  created_at: str,
  type: z.enum(["full", "full_versions"]),
  path_count: num,
  version_count: num,
  size_bytes: num,
  sha256: str,
  status: str,
  expires_at: str,
  storage: str,
});
export const snapshotList = o({ items: z.array(snapshotManifest), total: num });
export const snapshotVerified = o({ id: str, valid: bool, path_count: num, version_count: num, sha256: str });
export const snapshotRestoreReport = o({
  snapshot_id: str,
  dry_run: bool,
  plan_id: z.optional(str),
  plan_expires_at: z.optional(str),
  summary: o({ create: num, change: num, unchanged: num, conflicts: num, failed: num }),
  items: z.array(o({ path: str, action: z.enum(["create", "change", "unchanged"]), current_version: nullable(num) })),
});
export const snapshotDeleted = o({ message: str, id: str });

export const configCopyReport = o({
  environment: str,
  service_name: str,
  from: z.enum(["vault", "aws"]),
  to: z.enum(["vault", "aws"]),
  routed_to: z.enum(["vault", "aws"]),
  dry_run: bool,
  summary: o({ create: num, update: num, unchanged: num, differs: num, invalid: num, conflicts: num, failed: num }),
  items: z.array(
    o({
      key: str,
      action: z.enum(["create", "update", "unchanged", "differs", "invalid"]),
      source_version: num,
      target_version: num,
      is_encrypted: bool,
      value_sha256_prefix: str,
      outcome: z.optional(str),
    }),
  ),
});

const auditRecord = o({ at: str, operation: str, path: str, actor: str, success: bool });
export const auditPage = o({ items: z.array(auditRecord), next_cursor: nullable(str), count: num });
export const auditSummary = o({
  total: num,
  failures: num,
  by_operation: z.record(str, num),
  by_window: z.array(o({ start: str, count: num })),
  /** True when the range held more than 10,000 records: the summary covers the newest 10,000. */
  truncated: bool,
  oldest_examined: z.optional(nullable(str)),
});
export const auditAnomalies = o({
  anomalies: z.array(o({ kind: str, subject: str, count: num, detail: str })),
  examined: num,
  /** True when the baseline held more than 50,000 records: the oldest were not examined. */
  truncated: bool,
  window_minutes: num,
});
export const incidentList = o({
  items: z.array(o({ id: str, at: str, alarm_name: str, state: str, actions: z.array(str) })),
  total: num,
});
export const openApiResponse = o({ openapi: str, info: o({ title: str, version: str }), paths: o({}) });

export const tokenSelfResponse = o({
  name: str,
  scopes: z.array(str),
  paths: nullable(z.array(str)),
  expires_at: nullable(str),
  sensitive_values: bool,
  routes: z.array(o({ method: str, path: str, scope: str, allowed: bool, note: z.optional(str) })),
});
