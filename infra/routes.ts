/**
 * THE route table. sst.config.ts (API Gateway), the local runtime and the tests all read it;
 * each handler takes its scope from here. `public` routes skip the bearer check.
 */
export type RouteScope = "public" | "read" | "admin";

export interface RouteDefinition {
  method: "GET" | "POST" | "PUT" | "DELETE";
  path: string;
  /** `<file without extension>.<export>`, relative to the repository root. */
  handler: string;
  scope: RouteScope;
  summary: string;
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
    scope: "read",
    summary: "Request, token, error and cache figures (JSON or Prometheus text)",
  },
  vaultStatus: {
    method: "GET",
    path: "/api/v1/vault/status",
    handler: "functions/vault/status.handler",
    scope: "read",
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
} as const satisfies Record<string, RouteDefinition>;

export type RouteId = keyof typeof routes;

export const routeList: Array<RouteDefinition & { id: RouteId }> = Object.entries(routes).map(([id, route]) => ({
  id: id as RouteId,
  ...route,
}));

/** The API's Lambda authorizer (see packages/lambda/src/authorizer.ts). */
export const authorizerHandler = "functions/auth/authorizer.handler";
