import * as z from "zod/mini";
import { formatDuration } from "../clock";
import { type CounterTotals, DURATION_BUCKETS } from "./counters";

export interface RequestFigures {
  total: number;
  successful: number;
  failed: number;
  averageMs: number;
  successRate: string;
}

/** Totals over every Vault operation in the shared counters. */
export function requestFigures(totals: CounterTotals): RequestFigures {
  let successful = 0;
  let failed = 0;
  let durationMs = 0;
  for (const [name, value] of totals.values) {
    const [kind, , status] = name.split("|");
    if (kind === "n" && status === "ok") successful += value;
    else if (kind === "n" && status === "fail") failed += value;
    else if (kind === "ms") durationMs += value;
  }
  const total = successful + failed;
  return {
    total,
    successful,
    failed,
    averageMs: total === 0 ? 0 : durationMs / total,
    successRate: total === 0 ? "100.00%" : `${((successful / total) * 100).toFixed(2)}%`,
  };
}

/** Hits and misses of cacheable reads; sensitive reads, which never use the cache, are counted apart. */
export function cacheFigures(totals: CounterTotals): {
  hits: number;
  misses: number;
  bypassed: number;
  hitRate: string;
} {
  const hits = totals.values.get("cache|hit") ?? 0;
  const misses = totals.values.get("cache|miss") ?? 0;
  const bypassed = totals.values.get("cache|bypass") ?? 0;
  const all = hits + misses;
  return { hits, misses, bypassed, hitRate: all === 0 ? "0.00%" : `${((hits / all) * 100).toFixed(2)}%` };
}

export const msText = (ms: number): string => formatDuration(ms);

const escapeLabel = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
const labels = (l: Record<string, string>) =>
  `{${Object.entries(l)
    .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
    .join(",")}}`;

/** Prometheus text exposition (version 0.0.4) of the same figures; families named after seed 004. */
export function prometheusText(input: {
  totals: CounterTotals;
  backendUp: boolean;
  cacheSize: number;
  tokenTtlSeconds?: number | undefined;
  healthCheckDurationMs?: number | undefined;
}): string {
  const backend = "vault";
  const ops = new Map<string, { ok: number; fail: number; ms: number; buckets: number[] }>();
  const op = (name: string) => {
    let entry = ops.get(name);
    if (!entry) {
      entry = { ok: 0, fail: 0, ms: 0, buckets: new Array(DURATION_BUCKETS.length + 1).fill(0) };
      ops.set(name, entry);
    }
    return entry;
  };
  for (const [name, value] of input.totals.values) {
    const [kind, operation, rest] = name.split("|");
    if (!operation) continue;
    if (kind === "n") op(operation)[rest === "ok" ? "ok" : "fail"] += value;
    else if (kind === "ms") op(operation).ms += value;
    else if (kind === "b") {
      const index = Number(rest);
      const buckets = op(operation).buckets;
      if (index >= 0 && index < buckets.length) buckets[index] = (buckets[index] ?? 0) + value;
    }
  }
  const lines: string[] = [];
  lines.push("# HELP vaultops_key_operations_total Vault operations by operation and outcome.");
  lines.push("# TYPE vaultops_key_operations_total counter");
  for (const [name, o] of [...ops].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(`vaultops_key_operations_total${labels({ operation: name, backend, status: "success" })} ${o.ok}`);
    lines.push(`vaultops_key_operations_total${labels({ operation: name, backend, status: "failure" })} ${o.fail}`);
  }
  lines.push("# HELP vaultops_key_operation_duration_seconds Duration of Vault operations.");
  lines.push("# TYPE vaultops_key_operation_duration_seconds histogram");
  for (const [name, o] of [...ops].sort(([a], [b]) => a.localeCompare(b))) {
    let cumulative = 0;
    DURATION_BUCKETS.forEach((le, i) => {
      cumulative += o.buckets[i] ?? 0;
      lines.push(
        `vaultops_key_operation_duration_seconds_bucket${labels({ operation: name, backend, le: String(le) })} ${cumulative}`,
      );
    });
    cumulative += o.buckets[DURATION_BUCKETS.length] ?? 0;
    lines.push(
      `vaultops_key_operation_duration_seconds_bucket${labels({ operation: name, backend, le: "+Inf" })} ${cumulative}`,
    );
    lines.push(`vaultops_key_operation_duration_seconds_sum${labels({ operation: name, backend })} ${o.ms / 1000}`);
    lines.push(`vaultops_key_operation_duration_seconds_count${labels({ operation: name, backend })} ${cumulative}`);
  }
  const cache = cacheFigures(input.totals);
  lines.push("# HELP vaultops_key_cache_hits_total Cache lookups answered from a cache tier.");
  lines.push("# TYPE vaultops_key_cache_hits_total counter");
  lines.push(`vaultops_key_cache_hits_total${labels({ backend })} ${cache.hits}`);
  lines.push("# HELP vaultops_key_cache_misses_total Cache lookups that went to Vault.");
  lines.push("# TYPE vaultops_key_cache_misses_total counter");
  lines.push(`vaultops_key_cache_misses_total${labels({ backend })} ${cache.misses}`);
  lines.push("# HELP vaultops_key_uncached_reads_total Reads of sensitive values, which never use the cache.");
  lines.push("# TYPE vaultops_key_uncached_reads_total counter");
  lines.push(`vaultops_key_uncached_reads_total${labels({ backend })} ${cache.bypassed}`);
  lines.push("# HELP vaultops_key_cache_size Entries in the shared cache.");
  lines.push("# TYPE vaultops_key_cache_size gauge");
  lines.push(`vaultops_key_cache_size${labels({ backend })} ${input.cacheSize}`);
  lines.push(
    "# HELP vaultops_api_authentication_failures_total API requests refused for a missing, wrong or expired token.",
  );
  lines.push("# TYPE vaultops_api_authentication_failures_total counter");
  lines.push(`vaultops_api_authentication_failures_total ${input.totals.values.get("api|auth_failed") ?? 0}`);
  lines.push("# HELP vaultops_api_denied_total API requests refused for their scope or path.");
  lines.push("# TYPE vaultops_api_denied_total counter");
  lines.push(`vaultops_api_denied_total ${input.totals.values.get("api|denied") ?? 0}`);
  lines.push("# HELP vaultops_key_backend_up Whether Vault answered its last health check as healthy.");
  lines.push("# TYPE vaultops_key_backend_up gauge");
  lines.push(`vaultops_key_backend_up${labels({ backend })} ${input.backendUp ? 1 : 0}`);
  if (input.tokenTtlSeconds !== undefined) {
    lines.push("# HELP vaultops_vault_token_ttl_seconds Remaining TTL of the plane's Vault token.");
    lines.push("# TYPE vaultops_vault_token_ttl_seconds gauge");
    lines.push(`vaultops_vault_token_ttl_seconds ${input.tokenTtlSeconds}`);
  }
  if (input.healthCheckDurationMs !== undefined) {
    lines.push("# HELP vaultops_health_check_duration_seconds Duration of the last Vault health check.");
    lines.push("# TYPE vaultops_health_check_duration_seconds gauge");
    lines.push(`vaultops_health_check_duration_seconds ${input.healthCheckDurationMs / 1000}`);
  }
  return `${lines.join("\n")}\n`;
}

/** GET /api/v1/vault/metrics: `?format=json` (default) or `?format=prometheus`. */
export const metricsQuerySchema = z.object({ format: z.optional(z.enum(["json", "prometheus"])) });
