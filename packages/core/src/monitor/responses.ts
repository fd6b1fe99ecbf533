import * as z from "zod/mini";

/**
 * The bodies of the monitor routes, as schemas. They live here, beside the request schemas core
 * already holds, because @vaultops/api imports core (its contract parses with core's request
 * schemas): core cannot import api without a package cycle. api's response-schemas.ts re-exports
 * these under the same names, so the OpenAPI document and the contract test use these very objects,
 * and each monitor method returns the type inferred from its schema: a body that drifts from the
 * documented one fails `tsc`. Objects are open: extra fields may be added without breaking clients.
 */
const o = z.looseObject;
const str = z.string();
const num = z.number();
const bool = z.boolean();

export const healthResponse = o({
  vault_health: o({
    status: z.enum(["healthy", "standby", "performance_standby", "sealed", "uninitialized", "unhealthy"]),
    last_check: str,
    total_requests: num,
    success_rate: str,
    avg_response_time: str,
    token_ttl_seconds: num,
    token_renewable: bool,
    last_error: str,
    last_error_time: str,
    warnings: z.array(str),
  }),
  timestamp: num,
});

export const cacheMetricsResponse = o({
  total_entries: num,
  total_accesses: num,
  ttl: str,
  oldest_access: str,
  newest_access: str,
  hits: num,
  misses: num,
  hit_rate: str,
  /** When the last cache sweep counted the shared tier (null before the first). */
  entries_as_of: z.nullable(str),
});
export const metricsResponse = o({
  vault_metrics: o({
    connection: o({ status: str, last_health_check: str, health_check_duration: str }),
    requests: o({ total: num, successful: num, failed: num, average_response_time: str }),
    token: o({ ttl_seconds: num, renewable: bool }),
    errors: o({ last_error: str, last_error_time: str }),
  }),
  cache_metrics: cacheMetricsResponse,
  timestamp: num,
});
export const statusResponse = o({
  integration: str,
  version: str,
  features: z.array(str),
  health: o({ status: str, last_check: str, success_rate: str }),
  cache: o({ enabled: bool, ttl: str, stats: o({ total_entries: num, total_accesses: num }) }),
  monitoring: o({ enabled: bool, connection_status: str, is_healthy: bool }),
});
export const cacheClearResponse = o({
  message: str,
  cleared_stats: o({ total_entries: num, total_accesses: num, ttl: str }),
  timestamp: num,
});
export const tokenRenewResponse = o({
  message: str,
  token_info: o({ ttl_seconds: num, renewable: bool }),
  timestamp: num,
});
export const configStatus = o({
  vault_enabled: bool,
  vault: o({ status: str }),
  mount: o({ path: str }),
  cache: o({ enabled: bool }),
});

/** GET /api/v1/vault/health (200 and 503). */
export type HealthBody = z.infer<typeof healthResponse>;
/** The `cache_metrics` of GET /api/v1/vault/metrics; also read by status and the cache clear. */
export type CacheStatsBody = z.infer<typeof cacheMetricsResponse>;
/** GET /api/v1/vault/metrics (JSON). */
export type MetricsBody = z.infer<typeof metricsResponse>;
/** GET /api/v1/vault/status. */
export type StatusBody = z.infer<typeof statusResponse>;
/** POST /api/v1/vault/cache/clear. */
export type CacheClearBody = z.infer<typeof cacheClearResponse>;
/** POST /api/v1/vault/token/renew. */
export type TokenRenewBody = z.infer<typeof tokenRenewResponse>;
/** GET /api/v1/config/status. */
export type ConfigStatusBody = z.infer<typeof configStatus>;
