import type { AuditLog } from "../audit/audit-log";
import type { MetricsSink } from "../aws/cloudwatch";
import type { ShardLayout } from "../aws/shard-layout";
import type { SweepRecord } from "../cache/store";
import type { TwoTierCache } from "../cache/two-tier-cache";
import type { Clock } from "../clock";
import type { RoutingRule } from "../config/routing";
import type { Logger } from "../logger";
import { memoised } from "../memoised";
import type { VaultGateway } from "../vault/gateway";
import { type CounterStore, type CounterTotals, type MetricsRecorder, mergeTotals } from "./counters";
import type { HealthStateStore, JobRunStore } from "./health-state";
import type { TelemetryStore } from "./vault-telemetry";

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

/** What every part of the monitor is built from: the deps, with the clock settled. */
export type MonitorParts = MonitorDeps & { clock: Clock };

export const ZERO_TIME = "0001-01-01T00:00:00Z";

/** `at` (epoch ms) as ISO text, or the zero time when there is none. */
export const isoOrZero = (at: number | undefined): string => (at ? new Date(at).toISOString() : ZERO_TIME);

/** The values the last sweep left in the shared tier (0 before the first sweep). */
export function sharedValues(sweep: SweepRecord | undefined): number {
  return sweep?.values ? Object.values(sweep.values).reduce((a, b) => a + b, 0) : (sweep?.remaining ?? 0);
}

/** The request and cache counters: every container's (shared), plus what this one has not flushed yet. */
export class Totals {
  /** The shared counters, read at most once per `healthMemoMs` in this container (one BatchGet). */
  private readonly memoShared: () => Promise<CounterTotals>;

  constructor(
    private readonly deps: Pick<MonitorParts, "counters" | "recorder" | "clock">,
    memoMs: number,
  ) {
    this.memoShared = memoised(deps.clock, memoMs, () => deps.counters.totals());
  }

  /** One read of the shared counters. */
  async shared(): Promise<CounterTotals> {
    return mergeTotals(await this.deps.counters.totals(), this.deps.recorder.unflushed());
  }

  /** The shared counters as read at most once per memo period (the public route: no read per call). */
  memo(): Promise<CounterTotals> {
    return this.memoShared().then((shared) => mergeTotals(shared, this.deps.recorder.unflushed()));
  }

  /** This container's figures alone (when the shared counters cannot be read). */
  unflushed(): CounterTotals {
    return this.deps.recorder.unflushed();
  }
}
