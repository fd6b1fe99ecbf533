/**
 * Type test (checked by `tsc -p tsconfig.json`, never run): the monitor's bodies are the types
 * inferred from the response schemas the OpenAPI document is generated from, so a body that drifts
 * from its schema does not compile. Each `@ts-expect-error` below is a drifted body: were it accepted,
 * the directive would be unused and tsc would fail.
 */
import type {
  cacheClearResponse,
  configStatus,
  healthResponse,
  metricsResponse,
  statusResponse,
  tokenRenewResponse,
} from "@vaultops/api";
import type { MonitorService } from "@vaultops/core";
import type * as z from "zod/mini";

type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Body<K extends keyof MonitorService> = MonitorService[K] extends (...args: never[]) => Promise<infer R>
  ? R
  : never;

// Every route method returns exactly its api schema's inferred type (not a Record<string, unknown>).
export const typed: [
  Same<Body<"health">["body"], z.infer<typeof healthResponse>>,
  Same<Body<"metrics">, z.infer<typeof metricsResponse>>,
  Same<Body<"status">, z.infer<typeof statusResponse>>,
  Same<Body<"configStatus">, z.infer<typeof configStatus>>,
  Same<Body<"clearCache">, z.infer<typeof cacheClearResponse>>,
  Same<Body<"renewToken">, z.infer<typeof tokenRenewResponse>>,
] = [true, true, true, true, true, true];

type Metrics = Body<"metrics">;
const cacheMetrics: Metrics["cache_metrics"] = {
  total_entries: 0,
  total_accesses: 0,
  ttl: "15m0s",
  oldest_access: "",
  newest_access: "",
  hits: 0,
  misses: 0,
  hit_rate: "0.00%",
  entries_as_of: null,
};
const vaultMetrics: Metrics["vault_metrics"] = {
  connection: { status: "healthy", last_health_check: "", health_check_duration: "1ms" },
  requests: { total: 1, successful: 1, failed: 0, average_response_time: "1ms" },
  token: { ttl_seconds: 3600, renewable: true },
  errors: { last_error: "", last_error_time: "" },
};

// The control: a body as documented compiles, extra fields included (the schemas are open).
export const documented: Metrics = { vault_metrics: vaultMetrics, cache_metrics: cacheMetrics, timestamp: 0, extra: 1 };

export const wrongType: Metrics = {
  vault_metrics: {
    ...vaultMetrics,
    // @ts-expect-error requests.total is a number in metricsResponse, not text
    requests: { total: "1", successful: 1, failed: 0, average_response_time: "1ms" },
  },
  cache_metrics: cacheMetrics,
  timestamp: 0,
};

// @ts-expect-error metricsResponse requires `timestamp`
export const missingField: Metrics = { vault_metrics: vaultMetrics, cache_metrics: cacheMetrics };

export const nullWhereText: Metrics = {
  vault_metrics: vaultMetrics,
  // @ts-expect-error cache_metrics.ttl is text, never null
  cache_metrics: { ...cacheMetrics, ttl: null },
  timestamp: 0,
};

// A method whose body drifts: the health route's status outside the schema's enum.
export async function driftedHealth(): Promise<Body<"health">> {
  const base = { healthy: true, timestamp: 0 };
  return {
    healthy: base.healthy,
    body: {
      vault_health: {
        // @ts-expect-error "degraded" is not one of healthResponse's statuses
        status: "degraded",
        last_check: "",
        total_requests: 0,
        success_rate: "100.00%",
        avg_response_time: "0s",
        token_ttl_seconds: 0,
        token_renewable: false,
        last_error: "",
        last_error_time: "",
        warnings: [],
      },
      timestamp: base.timestamp,
    },
  };
}

// The status route without its monitoring section.
export async function driftedStatus(): Promise<Body<"status">> {
  // @ts-expect-error statusResponse requires `monitoring`
  return {
    integration: "hashicorp_vault",
    version: "0.1.0",
    features: [],
    health: { status: "healthy", last_check: "", success_rate: "100.00%" },
    cache: { enabled: true, ttl: "15m0s", stats: { total_entries: 0, total_accesses: 0 } },
  };
}
