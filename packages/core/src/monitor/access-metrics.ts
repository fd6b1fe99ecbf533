/**
 * Secret-access figures per environment and service, published as CloudWatch Embedded
 * Metric Format: one log line per scope and invocation, no API call on the request path.
 */
import { metricDimensions, metricNames } from "./metric-names";

/** Conditional reads answered 304 Not Modified (If-None-Match named the current version): not reads. */

interface Scope {
  reads: number;
  denied: number;
  failures: number;
  cacheHits: number;
  cacheMisses: number;
  /** Reads that never use the cache (sensitive values, older versions): not misses. */
  uncachedReads: number;
  /** Conditional reads answered 304 (metricNames.revalidations). */
  revalidations: number;
  latencies: number[];
}

export class AccessMetrics {
  private scopes = new Map<string, Scope>();
  /** Refused authentications (API requests, Vault logins) since the last flush. */
  private authFailures = 0;
  /** Creations by actors that are not planned creators, since the last flush. */
  private unplannedCreations = 0;

  private readonly write: (line: string) => void;

  /** `write` defaults to stdout, where Lambda's log agent picks EMF lines up. */
  constructor(
    private readonly namespace: string,
    write?: (line: string) => void,
  ) {
    this.write = write ?? ((line) => process.stdout.write(`${line}\n`));
  }

  private scope(environment: string, service: string): Scope {
    const key = `${environment}\u0000${service}`;
    let scope = this.scopes.get(key);
    if (!scope) {
      scope = {
        reads: 0,
        denied: 0,
        failures: 0,
        cacheHits: 0,
        cacheMisses: 0,
        uncachedReads: 0,
        revalidations: 0,
        latencies: [],
      };
      this.scopes.set(key, scope);
    }
    return scope;
  }

  /** A request the API refused (403), in its configuration's scope when it was about one, else the plane's ("-"). */
  denied(environment = "-", service = "-"): void {
    this.scope(environment, service).denied++;
  }

  authFailure(): void {
    this.authFailures++;
  }

  unplannedCreation(): void {
    this.unplannedCreations++;
  }

  /** A conditional read answered 304 Not Modified: counted apart from reads (no Reads, no latency). */
  revalidated(environment: string, service: string): void {
    this.scope(environment, service).revalidations++;
  }

  record(
    environment: string,
    service: string,
    outcome: { ok: boolean; denied?: boolean; latencyMs: number; cacheHit?: boolean },
  ) {
    const scope = this.scope(environment, service);
    scope.reads++;
    if (outcome.denied) scope.denied++;
    else if (!outcome.ok) scope.failures++;
    if (outcome.cacheHit === true) scope.cacheHits++;
    if (outcome.cacheHit === false) scope.cacheMisses++;
    if (outcome.cacheHit === undefined && outcome.ok) scope.uncachedReads++;
    // EMF takes up to 100 values per metric and line.
    if (scope.latencies.length < 100) scope.latencies.push(Number(outcome.latencyMs.toFixed(3)));
  }

  /** One EMF line: the metric names (counts, but latencies in milliseconds) and their values. */
  private emit(now: number, dimensions: string[][], names: string[], values: Record<string, unknown>): void {
    const metrics = names.map((Name) => ({ Name, Unit: Name.endsWith("Latency") ? "Milliseconds" : "Count" }));
    this.write(
      JSON.stringify({
        _aws: {
          Timestamp: now,
          CloudWatchMetrics: [{ Namespace: this.namespace, Dimensions: dimensions, Metrics: metrics }],
        },
        ...values,
      }),
    );
  }

  /** Writes one EMF line per scope seen since the last flush (and one for refused authentication). */
  flush(now = Date.now()): number {
    const scopes = this.scopes;
    this.scopes = new Map();
    // The security figures of the plane as a whole (no dimensions), when there is something to say.
    const security: Record<string, number> = {};
    if (this.authFailures > 0) security[metricNames.failedAuthentication] = this.authFailures;
    if (this.unplannedCreations > 0) security[metricNames.unplannedKeyCreation] = this.unplannedCreations;
    if (Object.keys(security).length > 0) {
      this.emit(now, [[]], Object.keys(security), security);
      this.authFailures = 0;
      this.unplannedCreations = 0;
    }
    for (const [key, s] of scopes) {
      const [environment, service] = key.split("\u0000") as [string, string];
      // Per scope, and the aggregate (no dimensions) that the default alarms watch.
      this.emit(
        now,
        [[metricDimensions.environment, metricDimensions.service], []],
        [
          metricNames.reads,
          metricNames.denied,
          metricNames.failures,
          metricNames.cacheHits,
          metricNames.cacheMisses,
          metricNames.uncachedReads,
          metricNames.revalidations,
          metricNames.retrievalLatency,
        ],
        {
          [metricDimensions.environment]: environment,
          [metricDimensions.service]: service,
          [metricNames.reads]: s.reads,
          [metricNames.denied]: s.denied,
          [metricNames.failures]: s.failures,
          [metricNames.cacheHits]: s.cacheHits,
          [metricNames.cacheMisses]: s.cacheMisses,
          [metricNames.uncachedReads]: s.uncachedReads,
          [metricNames.revalidations]: s.revalidations,
          [metricNames.retrievalLatency]: s.latencies,
        },
      );
    }
    return scopes.size;
  }
}
