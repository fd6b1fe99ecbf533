/**
 * vaultops' CloudWatch metrics, written once: the handlers' EMF lines (access-metrics.ts), the health job's
 * PutMetricData (health-job.ts) and infra's alarms and dashboard (infra/alarms.ts) all name them from
 * here. Pure data: infra imports it (`@vaultops/core/metric-names`) without loading the rest of core.
 */

/** The namespace's root: `METRICS_NAMESPACE`'s default; a deployed stage publishes under `Vaultops/<stage>`. */
export const METRICS_NAMESPACE_ROOT = "Vaultops";

/** The namespace of a stage's metrics (its alarms watch it): one stage's figures never mix with another's. */
export const stageMetricsNamespace = (stage: string): string => `${METRICS_NAMESPACE_ROOT}/${stage}`;

export const metricNames = {
  /** Secret reads (EMF, per scope and in aggregate). */
  reads: "Reads",
  denied: "Denied",
  failures: "Failures",
  cacheHits: "CacheHits",
  cacheMisses: "CacheMisses",
  uncachedReads: "UncachedReads",
  /** Conditional reads answered 304 Not Modified (counted apart from reads). */
  revalidations: "Revalidations",
  /** Milliseconds (EMF, up to 100 values per line). */
  retrievalLatency: "RetrievalLatency",
  failedAuthentication: "FailedAuthentication",
  unplannedKeyCreation: "UnplannedKeyCreation",
  /** The health job's, per backend (dimension `Backend`). */
  backendUp: "BackendUp",
  healthCheckDuration: "HealthCheckDuration",
  tokenTtl: "TokenTTL",
} as const;

export type MetricName = (typeof metricNames)[keyof typeof metricNames];

/** The dimensions the metrics carry. */
export const metricDimensions = {
  environment: "Environment",
  service: "Service",
  backend: "Backend",
} as const;
