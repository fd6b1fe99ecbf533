import * as z from "zod/mini";
import { formatDuration } from "../clock";
import { type CounterTotals, DURATION_BUCKETS } from "./counters";
import type { VaultTelemetry } from "./vault-telemetry";

export interface RequestFigures {
  total: number;
  successful: number;
  failed: number;
  averageMs: number;
  successRate: string;
}

/** Totals over every backend operation (Vault's, and Secrets Manager's `sm_` ones) in the shared counters. */
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
export function cacheFigures(
  totals: CounterTotals,
  /** One backend's figures; every backend's when undefined. */
  backend?: string,
): {
  hits: number;
  misses: number;
  bypassed: number;
  hitRate: string;
} {
  // Other backends count under their own name too; Vault's share is the total less theirs.
  const of = (name: string) => {
    const total = totals.values.get(`cache|${name}`) ?? 0;
    if (backend === undefined) return total;
    if (backend !== "vault") return totals.values.get(`cache|${name}@${backend}`) ?? 0;
    let others = 0;
    for (const [key, value] of totals.values) if (key.startsWith(`cache|${name}@`)) others += value;
    return total - others;
  };
  const hits = of("hit");
  const misses = of("miss");
  const bypassed = of("bypass");
  const all = hits + misses;
  return { hits, misses, bypassed, hitRate: all === 0 ? "0.00%" : `${((hits / all) * 100).toFixed(2)}%` };
}

export const msText = (ms: number): string => formatDuration(ms);

const escapeLabel = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
const labels = (l: Record<string, string>) =>
  `{${Object.entries(l)
    .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
    .join(",")}}`;

/** Vault's own figures older than two health periods (the health job reads them every minute) are not shown. */
export const TELEMETRY_MAX_AGE_SECONDS = 120;

/** Prometheus text exposition (version 0.0.4) of the same figures; families named after the monitoring guide's key-storage metrics. */
export function prometheusText(input: {
  totals: CounterTotals;
  /** Each configuration backend and whether its last health check was healthy. */
  backends: Array<{ backend: string; up: boolean; cacheSize: number }>;
  tokenTtlSeconds?: number | undefined;
  healthCheckDurationMs?: number | undefined;
  telemetry?: VaultTelemetry | undefined;
  now?: number;
  /** Vault's own view of its seal and leadership, from the (memoised) sys/health of this scrape. */
  vault?: { sealed: boolean; active: boolean } | undefined;
}): string {
  type Op = {
    operation: string;
    backend: string;
    ok: number;
    fail: number;
    denied: number;
    unavailable: number;
    ms: number;
    buckets: number[];
  };
  const ops = new Map<string, Op>();
  const op = (name: string) => {
    let entry = ops.get(name);
    if (!entry) {
      // Secrets Manager calls are recorded as `sm_<operation>`; every other operation is Vault's.
      const aws = name.startsWith("sm_");
      entry = {
        operation: aws ? name.slice(3) : name,
        backend: aws ? "aws" : "vault",
        ok: 0,
        fail: 0,
        denied: 0,
        unavailable: 0,
        ms: 0,
        buckets: new Array(DURATION_BUCKETS.length + 1).fill(0),
      };
      ops.set(name, entry);
    }
    return entry;
  };
  for (const [name, value] of input.totals.values) {
    const [kind, operation, rest] = name.split("|");
    if (!operation) continue;
    if (kind === "n") op(operation)[rest === "ok" ? "ok" : "fail"] += value;
    else if (kind === "f" && (rest === "denied" || rest === "unavailable")) op(operation)[rest] += value;
    else if (kind === "ms") op(operation).ms += value;
    else if (kind === "b") {
      const index = Number(rest);
      const buckets = op(operation).buckets;
      if (index >= 0 && index < buckets.length) buckets[index] = (buckets[index] ?? 0) + value;
    }
  }
  const lines: string[] = [];
  const sorted = [...ops.values()].sort((a, b) =>
    `${a.backend}|${a.operation}`.localeCompare(`${b.backend}|${b.operation}`),
  );
  lines.push(
    "# HELP vaultops_key_operations_total Backend operations (Vault, Secrets Manager) by operation and outcome; failures by reason: denied (the backend refused the plane), unavailable (unreachable, sealed, too slow), error.",
  );
  lines.push("# TYPE vaultops_key_operations_total counter");
  for (const o of sorted) {
    const { operation: name, backend } = o;
    lines.push(`vaultops_key_operations_total${labels({ operation: name, backend, status: "success" })} ${o.ok}`);
    const failure = (reason: string, n: number) =>
      lines.push(
        `vaultops_key_operations_total${labels({ operation: name, backend, status: "failure", reason })} ${n}`,
      );
    failure("denied", o.denied);
    failure("unavailable", o.unavailable);
    failure("error", Math.max(0, o.fail - o.denied - o.unavailable));
  }
  lines.push("# HELP vaultops_key_operation_duration_seconds Duration of backend operations.");
  lines.push("# TYPE vaultops_key_operation_duration_seconds histogram");
  for (const o of sorted) {
    const { operation: name, backend } = o;
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
  const perBackend = input.backends.map((b) => ({ ...b, cache: cacheFigures(input.totals, b.backend) }));
  lines.push("# HELP vaultops_key_cache_hits_total Cache lookups answered from a cache tier.");
  lines.push("# TYPE vaultops_key_cache_hits_total counter");
  for (const b of perBackend)
    lines.push(`vaultops_key_cache_hits_total${labels({ backend: b.backend })} ${b.cache.hits}`);
  lines.push("# HELP vaultops_key_cache_misses_total Cache lookups that went to the backend.");
  lines.push("# TYPE vaultops_key_cache_misses_total counter");
  for (const b of perBackend)
    lines.push(`vaultops_key_cache_misses_total${labels({ backend: b.backend })} ${b.cache.misses}`);
  lines.push("# HELP vaultops_key_uncached_reads_total Reads of sensitive values, which never use the cache.");
  lines.push("# TYPE vaultops_key_uncached_reads_total counter");
  for (const b of perBackend)
    lines.push(`vaultops_key_uncached_reads_total${labels({ backend: b.backend })} ${b.cache.bypassed}`);
  lines.push("# HELP vaultops_key_cache_size Entries in the shared cache.");
  lines.push("# TYPE vaultops_key_cache_size gauge");
  for (const b of perBackend) lines.push(`vaultops_key_cache_size${labels({ backend: b.backend })} ${b.cacheSize}`);
  lines.push(
    "# HELP vaultops_authentication_failures_total Refused authentication: API requests with a missing, wrong or expired token (source api), Vault refusing the plane's login (source vault).",
  );
  lines.push("# TYPE vaultops_authentication_failures_total counter");
  for (const source of ["api", "vault"])
    lines.push(
      `vaultops_authentication_failures_total${labels({ source })} ${input.totals.values.get(`auth|failed_${source}`) ?? 0}`,
    );
  lines.push(
    "# HELP vaultops_key_creations_total Configurations created, by a planned creator (PLANNED_CREATORS) or not.",
  );
  lines.push("# TYPE vaultops_key_creations_total counter");
  for (const [planned, key] of [
    ["true", "planned"],
    ["false", "unplanned"],
  ])
    lines.push(
      `vaultops_key_creations_total${labels({ planned: planned as string })} ${input.totals.values.get(`config|created_${key}`) ?? 0}`,
    );
  lines.push("# HELP vaultops_api_denied_total API requests refused for their scope or path.");
  lines.push("# TYPE vaultops_api_denied_total counter");
  lines.push(`vaultops_api_denied_total ${input.totals.values.get("api|denied") ?? 0}`);
  lines.push("# HELP vaultops_key_backend_up Whether the backend answered its last health check as healthy.");
  lines.push("# TYPE vaultops_key_backend_up gauge");
  for (const b of input.backends)
    lines.push(`vaultops_key_backend_up${labels({ backend: b.backend })} ${b.up ? 1 : 0}`);
  const gauge = (name: string, help: string, value: number | null | boolean, extra: Record<string, string> = {}) => {
    if (value === null) return;
    lines.push(`# HELP vaultops_vault_${name} ${help}`);
    lines.push(`# TYPE vaultops_vault_${name} gauge`);
    const v = typeof value === "boolean" ? (value ? 1 : 0) : value;
    lines.push(`vaultops_vault_${name}${Object.keys(extra).length ? labels(extra) : ""} ${v}`);
  };
  // Seal and leadership from this scrape's sys/health: an outage shows at once, never a stale 1.
  if (input.vault) {
    gauge("unsealed", "Whether Vault is unsealed (sys/health, at most HEALTH_MEMO_MS old).", !input.vault.sealed);
    gauge("active", "Whether the Vault node answering is the active one (sys/health).", input.vault.active);
  }
  if (input.telemetry) {
    // Vault's own figures (sys/metrics), as the health job last read them: gauges of Vault's interval,
    // shown only while they are at most two health periods old; their age always.
    const t = input.telemetry;
    const age = Math.max(0, Math.round(((input.now ?? Date.now()) - Date.parse(t.read_at)) / 1000));
    gauge("telemetry_age_seconds", "How old Vault's figures are (read by the health job every minute).", age);
    if (age <= TELEMETRY_MAX_AGE_SECONDS) {
      gauge(
        "requests_per_second",
        "Requests Vault handled per second (sys/metrics vault.core.handle_request).",
        t.requests.per_second,
      );
      if (t.requests.mean_ms !== null)
        gauge("request_duration_mean_seconds", "Mean time Vault took per request.", t.requests.mean_ms / 1000);
      gauge("token_lookups", "Token lookups in Vault's last interval (vault.token.lookup).", t.token_lookups);
      lines.push("# HELP vaultops_vault_kv_operations KV operations on the plane's mount in Vault's last interval.");
      lines.push("# TYPE vaultops_vault_kv_operations gauge");
      lines.push(`vaultops_vault_kv_operations${labels({ mount: t.kv.mount, operation: "read" })} ${t.kv.reads}`);
      lines.push(`vaultops_vault_kv_operations${labels({ mount: t.kv.mount, operation: "write" })} ${t.kv.writes}`);
      gauge("leases", "Leases Vault holds (vault.expire.num_leases).", t.leases);
      gauge("in_flight_requests", "Requests in flight in Vault.", t.in_flight_requests);
    }
  }
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
