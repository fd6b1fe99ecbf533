/**
 * THE route table. sst.config.ts (API Gateway), the local runtime and the tests all read it;
 * each handler takes its scope from here. `public` routes skip the bearer check; `token` routes
 * need any valid token.
 */
/** A Lambda timeout as SST takes it (`FunctionArgs["timeout"]`). */
export type Duration = `${number} second` | `${number} seconds` | `${number} minute` | `${number} minutes`;

export type RouteScope = "public" | "token" | "monitor" | "config:read" | "config:write" | "admin";

export interface RouteDefinition {
  method: "GET" | "POST" | "PUT" | "DELETE";
  path: string;
  /** `<file without extension>.<export>`, relative to the repository root. */
  handler: string;
  scope: RouteScope;
  /**
   * `config`: about one configuration path (or one service's list), so a token limited to some
   * paths may use it there; every other route is plane-wide and needs a token without path limits.
   */
  paths?: "config";
  summary: string;
  /** Lambda timeout when the default (15 s) is too short; API Gateway stops waiting at 30 s. */
  timeout?: Duration;
}

export const routes = {
  vaultHealth: {
    method: "GET",
    path: "/api/v1/vault/health",
    handler: "functions/vault/health.handler",
    scope: "public",
    summary: "Vault health (200 healthy, 503 otherwise)",
  },
  vaultMetrics: {
    method: "GET",
    path: "/api/v1/vault/metrics",
    handler: "functions/vault/metrics.handler",
    scope: "monitor",
    summary: "Request, token, error and cache figures (JSON or Prometheus text)",
  },
  vaultStatus: {
    method: "GET",
    path: "/api/v1/vault/status",
    handler: "functions/vault/status.handler",
    scope: "monitor",
    summary: "Integration status: version, features, health, cache, monitoring",
  },
  vaultCacheClear: {
    method: "POST",
    path: "/api/v1/vault/cache/clear",
    handler: "functions/vault/cache-clear.handler",
    scope: "admin",
    summary: "Empty the shared cache and every container's in-process tier",
  },
  vaultTokenRenew: {
    method: "POST",
    path: "/api/v1/vault/token/renew",
    handler: "functions/vault/token-renew.handler",
    scope: "admin",
    summary: "Renew the plane's own Vault token",
  },
  configCreate: {
    method: "POST",
    path: "/api/v1/config",
    handler: "functions/config/create.handler",
    scope: "config:write",
    paths: "config",
    summary: "Create a configuration (201; 409 when it exists)",
  },
  configList: {
    method: "GET",
    path: "/api/v1/config",
    handler: "functions/config/list.handler",
    scope: "config:read",
    paths: "config",
    summary: "List the configurations of one environment and service",
  },
  configStatus: {
    method: "GET",
    path: "/api/v1/config/status",
    handler: "functions/config/status.handler",
    scope: "monitor",
    summary: "vault_enabled, and the Vault, cache and backend state",
  },
  configCopy: {
    method: "POST",
    path: "/api/v1/config/copy",
    handler: "functions/config/copy.handler",
    scope: "admin",
    summary: "Copy one service's configurations between backends (Vault, Secrets Manager): the plan, or the copy",
    timeout: "29 seconds",
  },
  configGet: {
    method: "GET",
    path: "/api/v1/config/{key}",
    handler: "functions/config/get.handler",
    scope: "config:read",
    paths: "config",
    summary: "Read a configuration (ETag: its version); ?version=N reads an older one",
  },
  configUpdate: {
    method: "PUT",
    path: "/api/v1/config/{key}",
    handler: "functions/config/update.handler",
    scope: "config:write",
    paths: "config",
    summary: "Write a new version (If-Match or expected_version: check-and-set; 409 when stale)",
  },
  configDelete: {
    method: "DELETE",
    path: "/api/v1/config/{key}",
    handler: "functions/config/delete.handler",
    scope: "config:write",
    paths: "config",
    summary: "Delete a configuration (history kept; ?purge=true removes every version)",
  },
  configVersions: {
    method: "GET",
    path: "/api/v1/config/{key}/versions",
    handler: "functions/config/versions.handler",
    scope: "config:read",
    paths: "config",
    summary: "Version history from KV v2 metadata",
  },
  configRollback: {
    method: "POST",
    path: "/api/v1/config/{key}/rollback",
    handler: "functions/config/rollback.handler",
    scope: "config:write",
    paths: "config",
    summary: "Restore version N as a new version",
  },
  configRotationPut: {
    method: "PUT",
    path: "/api/v1/config/{key}/rotation",
    handler: "functions/rotation/put-policy.handler",
    scope: "admin",
    paths: "config",
    summary: "Set the rotation policy of a secret (interval, grace period, auto-rotate, generator)",
  },
  configRotationGet: {
    method: "GET",
    path: "/api/v1/config/{key}/rotation",
    handler: "functions/rotation/get-policy.handler",
    scope: "admin",
    paths: "config",
    summary: "The rotation policy and its status (last rotation, next due, last outcome)",
  },
  configRotationDelete: {
    method: "DELETE",
    path: "/api/v1/config/{key}/rotation",
    handler: "functions/rotation/delete-policy.handler",
    scope: "admin",
    paths: "config",
    summary: "Remove the rotation policy",
  },
  configRotate: {
    method: "POST",
    path: "/api/v1/config/{key}/rotate",
    handler: "functions/rotation/rotate.handler",
    scope: "admin",
    paths: "config",
    summary: "Rotate now; answers the new version (never the value)",
  },
  configRotationHistory: {
    method: "GET",
    path: "/api/v1/config/{key}/rotation/history",
    handler: "functions/rotation/history.handler",
    scope: "admin",
    paths: "config",
    summary: "Rotation history of a secret, newest first",
  },
  rotationStatus: {
    method: "GET",
    path: "/api/v1/rotation/status",
    handler: "functions/rotation/status.handler",
    scope: "admin",
    summary: "Every rotation policy, overdue and due first",
  },
  snapshotCreate: {
    method: "POST",
    path: "/api/v1/vault/snapshots",
    handler: "functions/snapshots/create.handler",
    scope: "admin",
    summary: "Create an encrypted snapshot of the KV v2 tree (201 with the manifest)",
    timeout: "29 seconds",
  },
  snapshotList: {
    method: "GET",
    path: "/api/v1/vault/snapshots",
    handler: "functions/snapshots/list.handler",
    scope: "admin",
    summary: "List snapshots, newest first (?type=, ?status=)",
  },
  snapshotGet: {
    method: "GET",
    path: "/api/v1/vault/snapshots/{id}",
    handler: "functions/snapshots/get.handler",
    scope: "admin",
    summary: "One snapshot's manifest",
  },
  snapshotVerify: {
    method: "POST",
    path: "/api/v1/vault/snapshots/{id}/verify",
    handler: "functions/snapshots/verify.handler",
    scope: "admin",
    summary: "Decrypt and check the hash and every entry (422 when it does not verify)",
    timeout: "29 seconds",
  },
  snapshotRestore: {
    method: "POST",
    path: "/api/v1/vault/snapshots/{id}/restore",
    handler: "functions/snapshots/restore.handler",
    scope: "admin",
    summary: "The restore plan (?dry_run=true, the default) or the restore itself (?dry_run=false)",
    timeout: "29 seconds",
  },
  snapshotDelete: {
    method: "DELETE",
    path: "/api/v1/vault/snapshots/{id}",
    handler: "functions/snapshots/delete.handler",
    scope: "admin",
    summary: "Delete a snapshot and its file",
  },
  auditQuery: {
    method: "GET",
    path: "/api/v1/audit",
    handler: "functions/audit/query.handler",
    scope: "admin",
    summary: "Audit records, newest first: ?from=&to=&operation=&path=&actor=&success=&client_ip=&limit=&cursor=",
  },
  auditSummary: {
    method: "GET",
    path: "/api/v1/audit/summary",
    handler: "functions/audit/summary.handler",
    scope: "admin",
    summary: "Counts by operation and by time window, and access patterns",
  },
  auditAnomalies: {
    method: "GET",
    path: "/api/v1/audit/anomalies",
    handler: "functions/audit/anomalies.handler",
    scope: "admin",
    summary: "Paths read far above their usual rate, failure bursts, access at unusual hours",
  },
  incidentList: {
    method: "GET",
    path: "/api/v1/incidents",
    handler: "functions/alarms/list.handler",
    scope: "admin",
    summary: "Incidents recorded from secret-access alarms, newest first",
  },
  tokenSelf: {
    method: "GET",
    path: "/api/v1/auth/token",
    handler: "functions/auth/token-self.handler",
    scope: "token",
    summary: "The calling token: its name, scopes, path limits, expiry, and what it may do",
  },
  openApi: {
    method: "GET",
    path: "/api/v1/openapi.json",
    handler: "functions/meta/openapi.handler",
    scope: "public",
    summary: "This API's OpenAPI 3.1 document",
  },
} as const satisfies Record<string, RouteDefinition>;

export type RouteId = keyof typeof routes;

export const routeList: Array<RouteDefinition & { id: RouteId }> = Object.entries(routes).map(([id, route]) => ({
  id: id as RouteId,
  ...route,
}));
