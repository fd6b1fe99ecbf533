import type { MetricDatum } from "../aws/cloudwatch";
import { VaultopsError } from "../errors";
import type { TokenInfo } from "../vault/gateway";
import type { BackendMonitor } from "./backends";
import type { JobOutcome } from "./cache";
import type { HealthMonitor } from "./health";
import { metricDimensions, metricNames } from "./metric-names";
import type { MonitorOptions, MonitorParts } from "./monitor-deps";
import type { TokenMonitor } from "./token";
import { readTelemetry, type TelemetryState } from "./vault-telemetry";

/**
 * The scheduled health check: shared state, CloudWatch figures, renewal under the threshold. One
 * lookup-self per run (the forced health check's); a renewal adds the one renew-self makes first, and
 * its answer is the new TTL.
 */
export class HealthCheckJob {
  constructor(
    private readonly deps: Pick<MonitorParts, "gateway" | "telemetry" | "layout" | "metricsSink" | "logger" | "clock">,
    private readonly options: Pick<MonitorOptions, "tokenRenewThresholdSeconds" | "mount">,
    private readonly parts: { health: HealthMonitor; token: TokenMonitor; backends: BackendMonitor },
  ) {}

  async run(): Promise<JobOutcome> {
    const { logger } = this.deps;
    // The forced check reads sys/health and looks the token up: the run's only lookup-self.
    const observed = await this.parts.health.observe(true);
    const { health } = observed;
    let token: TokenInfo | undefined = health.status === "healthy" ? observed.token : undefined;
    let renewed = false;
    let renewError: string | undefined;
    if (token?.renewable && token.ttlSeconds > 0 && token.ttlSeconds < this.options.tokenRenewThresholdSeconds) {
      try {
        token = await this.parts.token.renew({ name: "health-check-job" });
        renewed = true;
      } catch (error) {
        renewError = error instanceof VaultopsError ? (error.details ?? error.message) : String(error);
        logger.error("token renewal failed", { error: renewError });
      }
    }
    const warning = this.parts.token.warning(token);
    if (warning) logger.warn("vault token expiring soon", { ttl_seconds: token?.ttlSeconds });
    // Vault's own view: the figures of sys/metrics, or why they cannot be read.
    let telemetry: TelemetryState | undefined;
    if (this.deps.telemetry && health.status === "healthy") {
      telemetry = await readTelemetry(this.deps.gateway, this.options.mount ?? "secret", this.deps.clock.now());
      await this.deps.telemetry
        .save(telemetry)
        .catch((error: unknown) => logger.warn("telemetry not saved", { error }));
    }
    const others = await this.parts.backends.others(true);
    // Readers of the audit trail and the counters cover every shard this deploy's plan writes.
    await this.deps.layout?.record().catch((error: unknown) => logger.warn("shard layout not recorded", { error }));
    // BackendUp per backend (dimension Backend); the alarms name the backend that is down.
    const up = (backend: string, healthy: boolean): MetricDatum => ({
      name: metricNames.backendUp,
      value: healthy ? 1 : 0,
      unit: "Count",
      dimensions: { [metricDimensions.backend]: backend },
    });
    const metrics: MetricDatum[] = [
      up("vault", health.status === "healthy"),
      ...others.map((b) => up(b.backend, b.status === "healthy")),
      { name: metricNames.healthCheckDuration, value: health.durationMs, unit: "Milliseconds" },
    ];
    if (token) metrics.push({ name: metricNames.tokenTtl, value: token.ttlSeconds, unit: "Seconds" });
    try {
      await this.deps.metricsSink.publish(metrics);
    } catch (error) {
      logger.error("publishing CloudWatch metrics failed", { error: (error as Error).message });
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
}
