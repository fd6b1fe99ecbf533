import type { BackendMonitor } from "./backends";
import type { CacheMonitor } from "./cache";
import type { HealthMonitor } from "./health";
import { type MonitorParts, type Totals, ZERO_TIME } from "./monitor-deps";
import type { MetricsBody } from "./responses";
import type { TokenMonitor } from "./token";
import { msText, prometheusText, requestFigures } from "./views";

/** GET /api/v1/vault/metrics: the same figures as JSON or as Prometheus text. */
export class MetricsView {
  constructor(
    private readonly deps: Pick<MonitorParts, "cache" | "telemetry" | "clock">,
    private readonly parts: {
      health: HealthMonitor;
      token: TokenMonitor;
      totals: Totals;
      cache: CacheMonitor;
      backends: BackendMonitor;
    },
  ) {}

  async json(): Promise<MetricsBody> {
    const { health: monitor, token: tokens, totals: counters, cache: caches } = this.parts;
    const health = await monitor.check();
    const shared = counters.shared();
    const [totals, token, cache] = await Promise.all([shared, tokens.info(), caches.stats(shared)]);
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
      timestamp: Math.floor(this.deps.clock.now() / 1000),
    };
  }

  /** Prometheus text exposition of the same figures, with Vault's own telemetry when fresh. */
  async prometheus(): Promise<string> {
    const health = await this.parts.health.check();
    const [totals, token, sweep, telemetry, others] = await Promise.all([
      this.parts.totals.shared(),
      this.parts.token.info(),
      this.deps.cache.lastSweep(),
      this.deps.telemetry?.get().catch(() => undefined),
      this.parts.backends.others(),
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
      ...(telemetry?.available ? { telemetry, now: this.deps.clock.now() } : {}),
    });
  }
}
