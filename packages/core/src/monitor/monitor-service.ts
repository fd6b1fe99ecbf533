import type { Actor, AuditLog } from "../audit/audit-log";
import type { MetricDatum, MetricsSink } from "../aws/cloudwatch";
import type { ShardLayout } from "../aws/shard-layout";
import type { SweepRecord } from "../cache/store";
import type { TwoTierCache } from "../cache/two-tier-cache";
import { type Clock, isoOrEmpty, systemClock } from "../clock";
import type { RoutingRule } from "../config/routing";
import { BackendPermissionError, VaultopsError } from "../errors";
import type { Logger } from "../logger";
import type { TokenInfo, VaultGateway } from "../vault/gateway";
import type { VaultHealth } from "../vault/health";
import { type CounterStore, type CounterTotals, type MetricsRecorder, mergeTotals } from "./counters";
import type { HealthState, HealthStateStore, JobRunStore } from "./health-state";
import { readTelemetry, type TelemetryState, type TelemetryStore } from "./vault-telemetry";
import { cacheFigures, msText, prometheusText, requestFigures } from "./views";

export interface MonitorOptions {
  version: string;
  healthMemoMs: number;
  tokenRenewThresholdSeconds: number;
  /** Token TTL below which health warns (one hour by default). */
  tokenWarningSeconds?: number;
  /** A container re-records an unchanged health state at most this often. */
  healthRecordIntervalMs?: number;
  tokenMemoMs?: number;
  /** The KV v2 mount whose reads and writes the telemetry reports. */
  mount?: string;
}

export interface MonitorDeps {
  gateway: VaultGateway;
  recorder: MetricsRecorder;
  counters: CounterStore;
  healthState: HealthStateStore;
  jobRuns: JobRunStore;
  audit: AuditLog;
  cache: TwoTierCache;
  /** Vault's own telemetry as the health job last read it. */
  telemetry?: TelemetryStore;
  /** The health job raises the recorded shard layout to this deploy's plan. */
  layout?: Pick<ShardLayout, "record">;
  /** Says whether a cached version is still Vault's current one (the sweep drops the rest). */
  cacheCheck?: (key: string, version: number) => Promise<"current" | "stale" | "unknown">;
  metricsSink: MetricsSink;
  logger: Logger;
  clock?: Clock;
  /** The configuration backends besides Vault (Secrets Manager, when routed) and the routing. */
  backends?: {
    /** Every rule, then the implicit default. */
    routing: RoutingRule[];
    others: Array<{ name: string; label: string; check(): Promise<void> }>;
    /** Which backend a cache key belongs to. */
    ofCacheKey(key: string): string;
  };
}

/** One backend's last health check. */
export interface BackendHealth {
  backend: string;
  status: "healthy" | "unavailable" | "denied";
  latency_ms: number;
  checked_at: string;
  error?: string;
}

const FEATURES = [
  "key_management",
  "health_monitoring",
  "performance_caching",
  "metrics_collection",
  "token_renewal",
  "configuration_management",
] as const;

const ZERO_TIME = "0001-01-01T00:00:00Z";

/** One load shared by every caller for `ms` (or until `force`); a failed load is not kept. */
function memoised<T>(clock: Clock, ms: number, load: () => Promise<T>): (force?: boolean) => Promise<T> {
  let memo: { at: number; value: Promise<T> } | undefined;
  return (force = false) => {
    const now = clock.now();
    if (force || !memo || now - memo.at >= ms) {
      const value = load();
      memo = { at: now, value };
      value.catch(() => {
        if (memo?.value === value) memo = undefined;
      });
    }
    return memo.value;
  };
}

/** Health, metrics, status, cache clear and token renewal, with their state in DynamoDB. */
export class MonitorService {
  private memoHealth: { value: VaultHealth; at: number } | undefined;
  private memoToken: { value: TokenInfo; at: number } | undefined;
  private lastRecorded: { status: string; at: number } | undefined;
  private readonly clock: Clock;
  /** The shared counters, read at most once per `healthMemoMs` in this container (one BatchGet). */
  private readonly memoCounters: () => Promise<CounterTotals>;
  private readonly memoBackends: (force?: boolean) => Promise<BackendHealth[]>;

  constructor(
    private readonly deps: MonitorDeps,
    private readonly options: MonitorOptions,
  ) {
    this.clock = deps.clock ?? systemClock;
    this.memoCounters = memoised(this.clock, options.healthMemoMs, () => deps.counters.totals());
    this.memoBackends = memoised(this.clock, options.healthMemoMs, () => this.checkOtherBackends());
  }

  /** Live sys/health, memoised for a few seconds per container, recorded in the shared state. */
  async checkHealth(force = false): Promise<VaultHealth> {
    const now = this.clock.now();
    if (!force && this.memoHealth && now - this.memoHealth.at < this.options.healthMemoMs) return this.memoHealth.value;
    const health = await this.deps.gateway.health();
    this.memoHealth = { value: health, at: now };
    const token = health.status === "healthy" || health.status.endsWith("standby") ? await this.tokenInfo() : undefined;
    const interval = this.options.healthRecordIntervalMs ?? 15_000;
    if (
      force ||
      !this.lastRecorded ||
      this.lastRecorded.status !== health.status ||
      now - this.lastRecorded.at >= interval
    ) {
      const state: HealthState = { status: health.status, checkedAt: health.checkedAt, durationMs: health.durationMs };
      if (health.version) state.version = health.version;
      if (health.error) state.error = health.error;
      if (token) {
        state.tokenTtlSeconds = token.ttlSeconds;
        state.tokenRenewable = token.renewable;
        state.tokenCheckedAt = now;
      }
      await this.deps.healthState.save(state);
      this.lastRecorded = { status: health.status, at: now };
    }
    return health;
  }

  /** Token TTL and renewability; from a memoised lookup-self, or the known session when Vault is down. */
  async tokenInfo(force = false): Promise<TokenInfo | undefined> {
    const now = this.clock.now();
    if (!force && this.memoToken && now - this.memoToken.at < (this.options.tokenMemoMs ?? 30_000)) {
      const elapsed = Math.floor((now - this.memoToken.at) / 1000);
      const ttl = this.memoToken.value.ttlSeconds;
      return { ...this.memoToken.value, ttlSeconds: ttl === 0 ? 0 : Math.max(0, ttl - elapsed) };
    }
    try {
      const info = await this.deps.gateway.lookupSelf();
      this.memoToken = { value: info, at: now };
      return info;
    } catch (error) {
      this.deps.logger.warn("token lookup failed", { error: (error as Error).message });
      const session = this.deps.gateway.currentSession;
      if (!session) return undefined;
      return {
        ttlSeconds: session.expiresAt === undefined ? 0 : Math.max(0, Math.floor((session.expiresAt - now) / 1000)),
        renewable: session.renewable,
      };
    }
  }

  private async sharedTotals(): Promise<CounterTotals> {
    return mergeTotals(await this.deps.counters.totals(), this.deps.recorder.unflushed());
  }

  private memoTotals(): Promise<CounterTotals> {
    return this.memoCounters().then((shared) => mergeTotals(shared, this.deps.recorder.unflushed()));
  }

  private tokenWarning(token: TokenInfo | undefined): string | undefined {
    if (!token || token.ttlSeconds === 0) return undefined;
    const threshold = this.options.tokenWarningSeconds ?? 3_600;
    return token.ttlSeconds < threshold
      ? `Vault token expires in ${token.ttlSeconds}s (under ${threshold}s)${token.renewable ? "" : " and is not renewable"}`
      : undefined;
  }

  /**
   * GET /api/v1/vault/health, public: what failed is said by kind (unreachable, sealed, timeout,
   * refused), never with paths or keys. Shared figures are read at most once per memo period per
   * container, so unauthenticated traffic cannot turn into DynamoDB reads.
   */
  async health(): Promise<{ healthy: boolean; body: Record<string, unknown> }> {
    // /health answers for Vault: a shared-state outage becomes a warning, not a failed probe.
    const warnings: string[] = [];
    const shared =
      <T>(what: string, fallback: T) =>
      (error: unknown) => {
        warnings.push(`${what} unavailable: ${error instanceof Error ? error.message : "error"}`);
        return fallback;
      };
    const health = await this.checkHealth().catch(async (error) => {
      shared("shared health state", undefined)(error);
      return this.deps.gateway.health();
    });
    const [totals, token] = await Promise.all([
      this.memoTotals().catch(shared("shared counters", this.deps.recorder.unflushed())),
      this.tokenInfo(),
    ]);
    const requests = requestFigures(totals);
    const warning = this.tokenWarning(token);
    const lastError = totals.lastError;
    // The live check's own failure is the freshest news; else the last error any container recorded.
    const latest =
      health.error && (!lastError || lastError.at <= health.checkedAt)
        ? { message: health.error, at: health.checkedAt }
        : lastError;
    const body = {
      vault_health: {
        status: health.status,
        last_check: new Date(health.checkedAt).toISOString(),
        total_requests: requests.total,
        success_rate: requests.successRate,
        avg_response_time: msText(requests.averageMs),
        token_ttl_seconds: token?.ttlSeconds ?? 0,
        token_renewable: token?.renewable ?? false,
        last_error: latest ? publicError(latest.message) : "",
        last_error_time: isoOrEmpty(latest?.at),
        warnings: [...(warning ? [warning] : []), ...warnings],
        sealed: health.sealed,
        initialized: health.initialized,
        standby: health.standby,
        performance_standby: health.performanceStandby,
        version: health.version ?? "",
        health_check_duration: msText(health.durationMs),
      },
      timestamp: Math.floor(this.clock.now() / 1000),
    };
    return { healthy: health.status === "healthy", body };
  }

  /**
   * `totals`: the shared counters when the caller has read them already (one read per request). The
   * shared tier's size is the last sweep's (every 5 minutes, `entries_as_of`): counting it here would
   * read every entry on each call.
   */
  async cacheStats(totals: Promise<CounterTotals> = this.sharedTotals()) {
    const [sweep, counted] = await Promise.all([this.deps.cache.lastSweep(), totals]);
    const cache = cacheFigures(counted);
    return {
      total_entries: sharedValues(sweep),
      total_accesses: cache.hits + cache.misses,
      ttl: msText(this.deps.cache.ttlMs),
      oldest_access: sweep?.oldestStoredAt ? new Date(sweep.oldestStoredAt).toISOString() : ZERO_TIME,
      newest_access: counted.lastCacheAccessAt ? new Date(counted.lastCacheAccessAt).toISOString() : ZERO_TIME,
      hits: cache.hits,
      misses: cache.misses,
      hit_rate: cache.hitRate,
      memory_entries: this.deps.cache.memoryEntries,
      entries_as_of: sweep ? new Date(sweep.at).toISOString() : null,
    };
  }

  async metrics(): Promise<Record<string, unknown>> {
    const health = await this.checkHealth();
    const shared = this.sharedTotals();
    const [totals, token, cache] = await Promise.all([shared, this.tokenInfo(), this.cacheStats(shared)]);
    const requests = requestFigures(totals);
    return {
      vault_metrics: {
        connection: {
          status: health.status,
          last_health_check: new Date(health.checkedAt).toISOString(),
          health_check_duration: msText(health.durationMs),
        },
        requests: {
          total: requests.total,
          successful: requests.successful,
          failed: requests.failed,
          average_response_time: msText(requests.averageMs),
          success_rate: requests.successRate,
        },
        token: { ttl_seconds: token?.ttlSeconds ?? 0, renewable: token?.renewable ?? false },
        errors: {
          last_error: totals.lastError?.message ?? "",
          last_error_time: totals.lastError ? new Date(totals.lastError.at).toISOString() : ZERO_TIME,
        },
      },
      cache_metrics: cache,
      timestamp: Math.floor(this.clock.now() / 1000),
    };
  }

  /**
   * The backends besides Vault: one cheap call each (Secrets Manager: ListSecrets, one result),
   * memoised per container like Vault's health. Never throws: an unreachable backend is a state.
   */
  async otherBackendHealth(force = false): Promise<BackendHealth[]> {
    if ((this.deps.backends?.others ?? []).length === 0) return [];
    return this.memoBackends(force);
  }

  private checkOtherBackends(): Promise<BackendHealth[]> {
    const others = this.deps.backends?.others ?? [];
    return Promise.all(
      others.map(async (b): Promise<BackendHealth> => {
        const started = this.clock.now();
        const checkedAt = new Date(started).toISOString();
        try {
          await b.check();
          return { backend: b.name, status: "healthy", latency_ms: this.clock.now() - started, checked_at: checkedAt };
        } catch (error) {
          const denied = error instanceof BackendPermissionError;
          return {
            backend: b.name,
            status: denied ? "denied" : "unavailable",
            latency_ms: this.clock.now() - started,
            checked_at: checkedAt,
            error: denied ? `${b.label} refused the plane's credentials` : `${b.label} is not available`,
          };
        }
      }),
    );
  }

  /** Every backend, Vault first, as the status routes show them. */
  private async backendStates(vault: VaultHealth, force = false) {
    const others = await this.otherBackendHealth(force);
    return [
      {
        backend: "vault",
        status: vault.status,
        latency_ms: vault.durationMs,
        checked_at: new Date(vault.checkedAt).toISOString(),
        ...(vault.error ? { error: vault.error } : {}),
      },
      ...others,
    ];
  }

  /** The routing as the status routes show it (BackendRouter.describe: every rule, then the default). */
  private routing(): RoutingRule[] {
    return this.deps.backends?.routing ?? [{ pattern: "*", backend: "vault" }];
  }

  async prometheus(): Promise<string> {
    const health = await this.checkHealth();
    const [totals, token, sweep, telemetry, others] = await Promise.all([
      this.sharedTotals(),
      this.tokenInfo(),
      this.deps.cache.lastSweep(),
      this.deps.telemetry?.get().catch(() => undefined),
      this.otherBackendHealth(),
    ]);
    // As of the last sweep (every 5 minutes): a scrape never reads the whole shared tier.
    const sizeOf = (backend: string) => sweep?.values?.[backend] ?? 0;
    return prometheusText({
      totals,
      backends: [
        { backend: "vault", up: health.status === "healthy", cacheSize: sizeOf("vault") },
        ...others.map((b) => ({ backend: b.backend, up: b.status === "healthy", cacheSize: sizeOf(b.backend) })),
      ],
      tokenTtlSeconds: token?.ttlSeconds,
      healthCheckDurationMs: health.durationMs,
      // Unknown (absent) when Vault did not answer sys/health.
      ...(health.status === "unhealthy" || health.status === "uninitialized"
        ? {}
        : { vault: { sealed: health.sealed, active: health.status === "healthy" } }),
      ...(telemetry?.available ? { telemetry, now: this.clock.now() } : {}),
    });
  }

  async status(extra: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const health = await this.checkHealth();
    const shared = this.sharedTotals();
    const [totals, cache, lastHealthJob, lastSweepJob, telemetry, backends] = await Promise.all([
      shared,
      this.cacheStats(shared),
      this.deps.jobRuns.last("health-check"),
      this.deps.jobRuns.last("cache-sweep"),
      this.deps.telemetry?.get().catch(() => undefined),
      this.backendStates(health),
    ]);
    const requests = requestFigures(totals);
    const age = (at: number | undefined) => (at === undefined ? null : Math.floor((this.clock.now() - at) / 1000));
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
      config_backends: { routing: this.routing(), backends },
      ...extra,
    };
  }

  /** GET /api/v1/config/status: `vault_enabled`, with the Vault, KV mount, cache and backend state behind it. */
  async configStatus(): Promise<Record<string, unknown>> {
    const health = await this.deps.gateway.health();
    const mountPath = this.options.mount ?? "secret";
    let mount: Record<string, unknown> = { path: mountPath };
    let backend: Record<string, unknown> = { dynamodb: "ok" };
    if (health.status === "healthy") {
      try {
        const tune = await this.deps.gateway.request<{
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
      const sweep = await this.deps.cache.lastSweep();
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
        ttl_seconds: Math.round(this.deps.cache.ttlMs / 1000),
        memory_ttl_seconds: Math.round(this.deps.cache.memoryTtl / 1000),
        shared_entries: entries,
        shared_entries_as_of: entriesAsOf,
        memory_entries: this.deps.cache.memoryEntries,
        sensitive_values_cached: false,
      },
      backend,
      routing: this.routing(),
      backends: await this.backendStates(health),
    };
  }

  async clearCache(actor: Actor): Promise<Record<string, unknown>> {
    const before = await this.cacheStats();
    const { removed } = await this.deps.cache.clear();
    await this.deps.audit.record({ operation: "cache_clear", path: "cache/*", success: true }, actor);
    this.deps.logger.info("cache cleared", { entries: removed });
    return {
      message: "Vault cache cleared successfully",
      cleared_stats: { total_entries: removed, total_accesses: before.total_accesses, ttl: before.ttl },
      timestamp: Math.floor(this.clock.now() / 1000),
    };
  }

  async renewToken(actor: Actor): Promise<Record<string, unknown>> {
    let info: TokenInfo;
    try {
      info = await this.deps.gateway.renewSelf();
    } catch (error) {
      await this.deps.audit.record(
        {
          operation: "token_renew",
          path: "auth/token/renew-self",
          success: false,
          error: error instanceof VaultopsError ? error.code : "error",
        },
        actor,
      );
      throw error;
    }
    await this.deps.audit.record({ operation: "token_renew", path: "auth/token/renew-self", success: true }, actor);
    this.memoToken = { value: info, at: this.clock.now() };
    this.deps.logger.info("token renewed", { ttl_seconds: info.ttlSeconds });
    return {
      message: "Token renewed successfully",
      token_info: { ttl_seconds: info.ttlSeconds, renewable: info.renewable },
      timestamp: Math.floor(this.clock.now() / 1000),
    };
  }

  /** The scheduled health check: shared state, CloudWatch figures, renewal under the threshold. */
  async runHealthCheckJob(): Promise<{ ok: boolean; summary: Record<string, unknown> }> {
    const health = await this.checkHealth(true);
    let token = health.status === "healthy" ? await this.tokenInfo(true) : undefined;
    let renewed = false;
    let renewError: string | undefined;
    if (token?.renewable && token.ttlSeconds > 0 && token.ttlSeconds < this.options.tokenRenewThresholdSeconds) {
      try {
        await this.renewToken({ name: "health-check-job" });
        token = await this.tokenInfo(true);
        renewed = true;
      } catch (error) {
        renewError = error instanceof VaultopsError ? (error.details ?? error.message) : String(error);
        this.deps.logger.error("token renewal failed", { error: renewError });
      }
    }
    const warning = this.tokenWarning(token);
    if (warning) this.deps.logger.warn("vault token expiring soon", { ttl_seconds: token?.ttlSeconds });
    // Vault's own view: the figures of sys/metrics, or why they cannot be read.
    let telemetry: TelemetryState | undefined;
    if (this.deps.telemetry && health.status === "healthy") {
      telemetry = await readTelemetry(this.deps.gateway, this.options.mount ?? "secret", this.clock.now());
      await this.deps.telemetry
        .save(telemetry)
        .catch((error: unknown) => this.deps.logger.warn("telemetry not saved", { error }));
    }
    const others = await this.otherBackendHealth(true);
    // Readers of the audit trail and the counters cover every shard this deploy's plan writes.
    await this.deps.layout
      ?.record()
      .catch((error: unknown) => this.deps.logger.warn("shard layout not recorded", { error }));
    // BackendUp per backend (dimension Backend); the alarms name the backend that is down.
    const metrics: MetricDatum[] = [
      {
        name: "BackendUp",
        value: health.status === "healthy" ? 1 : 0,
        unit: "Count",
        dimensions: { Backend: "vault" },
      },
      ...others.map(
        (b): MetricDatum => ({
          name: "BackendUp",
          value: b.status === "healthy" ? 1 : 0,
          unit: "Count",
          dimensions: { Backend: b.backend },
        }),
      ),
      { name: "HealthCheckDuration", value: health.durationMs, unit: "Milliseconds" },
    ];
    if (token) metrics.push({ name: "TokenTTL", value: token.ttlSeconds, unit: "Seconds" });
    try {
      await this.deps.metricsSink.publish(metrics);
    } catch (error) {
      this.deps.logger.error("publishing CloudWatch metrics failed", { error: (error as Error).message });
    }
    const summary = {
      status: health.status,
      ...(others.length ? { backends: Object.fromEntries(others.map((b) => [b.backend, b.status])) } : {}),
      ...(telemetry ? { telemetry: telemetry.available ? "read" : telemetry.reason } : {}),
      token_ttl_seconds: token?.ttlSeconds ?? null,
      token_renewed: renewed,
      ...(renewError ? { renew_error: renewError } : {}),
      ...(warning ? { warning } : {}),
    };
    return { ok: health.status === "healthy" && !renewError && others.every((b) => b.status === "healthy"), summary };
  }

  async runCacheSweepJob(): Promise<{ ok: boolean; summary: Record<string, unknown> }> {
    const sweep = await this.deps.cache.sweep(this.deps.cacheCheck);
    return {
      ok: true,
      summary: {
        removed: sweep.removed,
        remaining: sweep.remaining,
        ...(sweep.revalidated ? { revalidated: sweep.revalidated } : {}),
      },
    };
  }
}

/** An error as the public health route may show it: its kind, without a path, key or address. */
export function publicError(message: string): string {
  // A word, not a substring: the recorded message of a failed sys/health call holds `sealedcode=200`.
  if (/\bsealed\b/i.test(message)) return "Vault is sealed";
  if (/uninitiali[sz]ed|not initialized/i.test(message)) return "Vault is not initialized";
  if (/timeout|timed out|ECONNABORTED|ETIMEDOUT|deadline|exceeded/i.test(message))
    return "Vault did not answer in time";
  if (/permission denied|refused the plane|403/i.test(message)) return "Vault refused the plane's credentials";
  if (/not available|ECONNREFUSED|ECONNRESET|ENOTFOUND|EHOSTUNREACH|socket hang up|HTTP 5\d\d/i.test(message))
    return "Vault is not reachable";
  return "Vault request failed";
}

/** The values the last sweep left in the shared tier (0 before the first sweep). */
function sharedValues(sweep: SweepRecord | undefined): number {
  return sweep?.values ? Object.values(sweep.values).reduce((a, b) => a + b, 0) : (sweep?.remaining ?? 0);
}
