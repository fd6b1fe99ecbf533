import { VaultopsError } from "../errors";
import { jobNames } from "../job-names";
import type { BackendMonitor } from "./backends";
import type { CacheMonitor } from "./cache";
import type { HealthMonitor } from "./health";
import { type MonitorOptions, type MonitorParts, sharedValues, type Totals } from "./monitor-deps";
import type { ConfigStatusBody, StatusBody } from "./responses";
import { requestFigures } from "./views";

const FEATURES = [
  "key_management",
  "health_monitoring",
  "performance_caching",
  "metrics_collection",
  "token_renewal",
  "configuration_management",
] as const;

/** GET /api/v1/vault/status and GET /api/v1/config/status. */
export class StatusView {
  constructor(
    private readonly deps: Pick<MonitorParts, "gateway" | "cache" | "jobRuns" | "telemetry" | "clock">,
    private readonly options: Pick<MonitorOptions, "version" | "mount">,
    private readonly parts: { health: HealthMonitor; totals: Totals; cache: CacheMonitor; backends: BackendMonitor },
  ) {}

  /** `extra`: more sections (the snapshot and rotation ages of lifecycleStatus). */
  async status(extra: Record<string, unknown> = {}): Promise<StatusBody> {
    const health = await this.parts.health.check();
    const shared = this.parts.totals.shared();
    const [totals, cache, lastHealthJob, lastSweepJob, telemetry, backends] = await Promise.all([
      shared,
      this.parts.cache.stats(shared),
      this.deps.jobRuns.last(jobNames.healthCheck),
      this.deps.jobRuns.last(jobNames.cacheSweep),
      this.deps.telemetry?.get().catch(() => undefined),
      this.parts.backends.states(health),
    ]);
    const requests = requestFigures(totals);
    const now = this.deps.clock.now();
    const age = (at: number | undefined) => (at === undefined ? null : Math.floor((now - at) / 1000));
    return {
      integration: "hashicorp_vault",
      version: this.options.version,
      features: [...FEATURES],
      health: {
        status: health.status,
        last_check: new Date(health.checkedAt).toISOString(),
        success_rate: requests.successRate,
      },
      cache: {
        enabled: true,
        ttl: cache.ttl,
        stats: { total_entries: cache.total_entries, total_accesses: cache.total_accesses, hit_rate: cache.hit_rate },
      },
      monitoring: {
        enabled: true,
        connection_status: health.status,
        is_healthy: health.status === "healthy",
        auth_method: this.deps.gateway.authMethod,
        last_health_job_age_seconds: age(lastHealthJob?.at),
        last_cache_sweep_age_seconds: age(lastSweepJob?.at),
      },
      vault_telemetry: telemetry ?? {
        available: false,
        read_at: null,
        reason: "not read yet: the health job reads it every minute",
      },
      config_backends: { routing: this.parts.backends.routing(), backends },
      ...extra,
    };
  }

  /** GET /api/v1/config/status: `vault_enabled`, with the Vault, KV mount, cache and backend state behind it. */
  async configStatus(): Promise<ConfigStatusBody> {
    const { gateway, cache } = this.deps;
    const health = await gateway.health();
    const mountPath = this.options.mount ?? "secret";
    let mount: { path: string; kv_version?: number; error?: string } = { path: mountPath };
    let backend: { dynamodb: "ok" | "unavailable"; error?: string } = { dynamodb: "ok" };
    if (health.status === "healthy") {
      try {
        const tune = await gateway.request<{
          data?: { options?: { version?: string } };
          options?: { version?: string };
        }>("mount_tune", { method: "GET", path: `/sys/mounts/${mountPath}/tune` });
        mount = { ...mount, kv_version: Number((tune.data?.options ?? tune.options)?.version ?? 1) };
      } catch (error) {
        mount = { ...mount, error: error instanceof VaultopsError ? error.message : "unknown" };
      }
    }
    let entries: number | null = null;
    let entriesAsOf: string | null = null;
    try {
      const sweep = await cache.lastSweep();
      entries = sweep ? sharedValues(sweep) : null;
      entriesAsOf = sweep ? new Date(sweep.at).toISOString() : null;
    } catch (error) {
      backend = { dynamodb: "unavailable", error: (error as Error).message };
    }
    return {
      vault_enabled: health.status === "healthy",
      vault: { status: health.status, version: health.version ?? "", ...(health.error ? { error: health.error } : {}) },
      mount,
      cache: {
        enabled: true,
        ttl_seconds: Math.round(cache.ttlMs / 1000),
        memory_ttl_seconds: Math.round(cache.memoryTtl / 1000),
        shared_entries: entries,
        shared_entries_as_of: entriesAsOf,
        memory_entries: cache.memoryEntries,
        sensitive_values_cached: false,
      },
      backend,
      routing: this.parts.backends.routing(),
      backends: await this.parts.backends.states(health),
    };
  }
}
