import { isoOrEmpty } from "../clock";
import type { TokenInfo } from "../vault/gateway";
import type { VaultHealth } from "../vault/health";
import type { HealthState } from "./health-state";
import type { MonitorOptions, MonitorParts, Totals } from "./monitor-deps";
import { errorKind, publicError } from "./public-error";
import type { HealthBody } from "./responses";
import type { TokenMonitor } from "./token";
import { msText, requestFigures } from "./views";

/** Vault's sys/health as this container last saw it, recorded in the shared health state. */
export class HealthMonitor {
  private memo: { value: VaultHealth; at: number } | undefined;
  private lastRecorded: { status: string; at: number } | undefined;

  constructor(
    private readonly deps: Pick<MonitorParts, "gateway" | "healthState" | "clock">,
    private readonly options: Pick<MonitorOptions, "healthMemoMs" | "healthRecordIntervalMs">,
    private readonly token: TokenMonitor,
    private readonly totals: Totals,
  ) {}

  /**
   * Live sys/health, memoised for a few seconds per container, recorded in the shared state with the
   * token's TTL when Vault answers. A failed record throws, unless `onRecordError` takes it.
   */
  async check(force = false, onRecordError?: (error: unknown) => void): Promise<VaultHealth> {
    return (await this.observe(force, onRecordError)).health;
  }

  /**
   * `check`, with the token as this check looked it up: `force` (the health job) reads sys/health and
   * makes one lookup-self, whose answer the caller reuses. A memoised health comes without a token.
   */
  async observe(
    force = false,
    onRecordError?: (error: unknown) => void,
  ): Promise<{ health: VaultHealth; token: TokenInfo | undefined }> {
    const now = this.deps.clock.now();
    if (!force && this.memo && now - this.memo.at < this.options.healthMemoMs) {
      return { health: this.memo.value, token: undefined };
    }
    const health = await this.deps.gateway.health();
    this.memo = { value: health, at: now };
    const answered = health.status === "healthy" || health.status.endsWith("standby");
    const token = answered ? await this.token.info(force) : undefined;
    const interval = this.options.healthRecordIntervalMs ?? 15_000;
    if (
      force ||
      !this.lastRecorded ||
      this.lastRecorded.status !== health.status ||
      now - this.lastRecorded.at >= interval
    ) {
      const state: HealthState = { status: health.status, checkedAt: health.checkedAt, durationMs: health.durationMs };
      if (health.version) state.version = health.version;
      if (health.error) state.error = errorKind(health.error);
      if (token) {
        state.tokenTtlSeconds = token.ttlSeconds;
        state.tokenRenewable = token.renewable;
        state.tokenCheckedAt = now;
      }
      try {
        await this.deps.healthState.save(state);
        this.lastRecorded = { status: health.status, at: now };
      } catch (error) {
        if (!onRecordError) throw error;
        onRecordError(error);
      }
    }
    return { health, token };
  }

  /**
   * GET /api/v1/vault/health, public: what failed is said by kind (unreachable, sealed, timeout,
   * refused), never with paths or keys. Shared figures are read at most once per memo period per
   * container, so unauthenticated traffic cannot turn into DynamoDB reads.
   */
  async publicHealth(): Promise<{ healthy: boolean; body: HealthBody }> {
    // /health answers for Vault: a shared-state outage becomes a warning, not a failed probe.
    const warnings: string[] = [];
    const shared =
      <T>(what: string, fallback: T) =>
      (error: unknown) => {
        warnings.push(`${what} unavailable: ${error instanceof Error ? error.message : "error"}`);
        return fallback;
      };
    const health = await this.check(false, shared("shared health state", undefined));
    const [totals, token] = await Promise.all([
      this.totals.memo().catch(shared("shared counters", this.totals.unflushed())),
      this.token.info(),
    ]);
    const requests = requestFigures(totals);
    const warning = this.token.warning(token);
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
      timestamp: Math.floor(this.deps.clock.now() / 1000),
    };
    return { healthy: health.status === "healthy", body };
  }
}
