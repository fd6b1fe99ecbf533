import type { Actor } from "../audit/audit-log";
import { systemClock } from "../clock";
import type { TokenInfo } from "../vault/gateway";
import type { VaultHealth } from "../vault/health";
import { type BackendHealth, BackendMonitor } from "./backends";
import { CacheMonitor, type JobOutcome } from "./cache";
import type { CounterTotals } from "./counters";
import { HealthMonitor } from "./health";
import { HealthCheckJob } from "./health-job";
import { MetricsView } from "./metrics";
import { type MonitorDeps, type MonitorOptions, type MonitorParts, Totals } from "./monitor-deps";
import type {
  CacheClearBody,
  CacheStatsBody,
  ConfigStatusBody,
  HealthBody,
  MetricsBody,
  StatusBody,
  TokenRenewBody,
} from "./responses";
import { StatusView } from "./status";
import { TokenMonitor } from "./token";

/**
 * The monitor routes and jobs of one container. Each duty is its own part: health (health.ts), the
 * plane's token (token.ts), the counters (monitor-deps.ts), metrics and Prometheus (metrics.ts),
 * status (status.ts), the cache's figures, clear and sweep (cache.ts), the other backends
 * (backends.ts), the health job (health-job.ts), public errors (public-error.ts); each body is typed
 * by its response schema (responses.ts). This class wires them and keeps the surface the handlers call.
 */
export class MonitorService {
  readonly parts: {
    readonly health: HealthMonitor;
    readonly token: TokenMonitor;
    readonly totals: Totals;
    readonly cache: CacheMonitor;
    readonly backends: BackendMonitor;
    readonly metrics: MetricsView;
    readonly status: StatusView;
    readonly healthJob: HealthCheckJob;
  };

  constructor(deps: MonitorDeps, options: MonitorOptions) {
    const base: MonitorParts = { ...deps, clock: deps.clock ?? systemClock };
    const token = new TokenMonitor(base, options);
    const totals = new Totals(base, options.healthMemoMs);
    const health = new HealthMonitor(base, options, token, totals);
    const cache = new CacheMonitor(base, totals);
    const backends = new BackendMonitor(base, options.healthMemoMs);
    const shared = { health, token, totals, cache, backends };
    this.parts = {
      ...shared,
      metrics: new MetricsView(base, shared),
      status: new StatusView(base, options, shared),
      healthJob: new HealthCheckJob(base, options, shared),
    };
  }

  /** Live sys/health, memoised for a few seconds per container, recorded in the shared state. */
  checkHealth(force = false): Promise<VaultHealth> {
    return this.parts.health.check(force);
  }
  /** Token TTL and renewability; from a memoised lookup-self, or the known session when Vault is down. */
  tokenInfo(force = false): Promise<TokenInfo | undefined> {
    return this.parts.token.info(force);
  }
  /** The other backends' health, memoised like Vault's; never throws. */
  otherBackendHealth(force = false): Promise<BackendHealth[]> {
    return this.parts.backends.others(force);
  }
  /** The cache's figures (the metrics route's `cache_metrics`). */
  cacheStats(totals?: Promise<CounterTotals>): Promise<CacheStatsBody> {
    return this.parts.cache.stats(totals);
  }

  /** GET /api/v1/vault/health (public): 200 when healthy, else 503, with the same body. */
  health(): Promise<{ healthy: boolean; body: HealthBody }> {
    return this.parts.health.publicHealth();
  }
  /** GET /api/v1/vault/metrics as JSON. */
  metrics(): Promise<MetricsBody> {
    return this.parts.metrics.json();
  }
  /** GET /api/v1/vault/metrics as Prometheus text. */
  prometheus(): Promise<string> {
    return this.parts.metrics.prometheus();
  }
  /** GET /api/v1/vault/status; `extra`: more sections (lifecycleStatus). */
  status(extra: Record<string, unknown> = {}): Promise<StatusBody> {
    return this.parts.status.status(extra);
  }
  /** GET /api/v1/config/status. */
  configStatus(): Promise<ConfigStatusBody> {
    return this.parts.status.configStatus();
  }
  /** POST /api/v1/vault/cache/clear. */
  clearCache(actor: Actor): Promise<CacheClearBody> {
    return this.parts.cache.clear(actor);
  }
  /** POST /api/v1/vault/token/renew. */
  renewToken(actor: Actor): Promise<TokenRenewBody> {
    return this.parts.token.renewBody(actor);
  }
  /** The health-check schedule. */
  runHealthCheckJob(): Promise<JobOutcome> {
    return this.parts.healthJob.run();
  }
  /** The cache-sweep schedule. */
  runCacheSweepJob(): Promise<JobOutcome> {
    return this.parts.cache.sweepJob();
  }
}
