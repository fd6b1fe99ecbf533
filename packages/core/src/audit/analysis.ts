/**
 * Filters, aggregations and anomaly detection over audit records: the same code serves vaultops'
 * own trail (DynamoDB) and Vault's file audit device.
 */
export interface AuditLike {
  at: string;
  operation: string;
  path: string;
  actor: string;
  success: boolean;
  sourceIp?: string;
}

export interface AuditFilter {
  operation?: string | string[] | undefined;
  /** Glob: `*` matches within a segment, `**` across segments. */
  path?: string | undefined;
  actor?: string | undefined;
  success?: boolean | undefined;
  sourceIp?: string | undefined;
  from?: number | undefined;
  to?: number | undefined;
}

/** Compiled once per pattern: token paths and audit filters are matched on every request. */
const compiledGlobs = new Map<string, RegExp>();

export function globToRegExp(glob: string): RegExp {
  const cached = compiledGlobs.get(glob);
  if (cached) return cached;
  const source = glob
    .split("**")
    .map((part) =>
      part
        .split("*")
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
        .join("[^/]*"),
    )
    .join(".*");
  const compiled = new RegExp(`^${source}$`);
  if (compiledGlobs.size < 1_000) compiledGlobs.set(glob, compiled);
  return compiled;
}

export function matchesFilter(record: AuditLike, filter: AuditFilter): boolean {
  if (filter.operation) {
    const ops = Array.isArray(filter.operation) ? filter.operation : [filter.operation];
    if (!ops.includes(record.operation)) return false;
  }
  if (filter.path && !globToRegExp(filter.path).test(record.path)) return false;
  if (filter.actor && record.actor !== filter.actor) return false;
  if (filter.success !== undefined && record.success !== filter.success) return false;
  if (filter.sourceIp && record.sourceIp !== filter.sourceIp) return false;
  const at = Date.parse(record.at);
  if (filter.from !== undefined && at < filter.from) return false;
  if (filter.to !== undefined && at > filter.to) return false;
  return true;
}

export function filterRecords<T extends AuditLike>(records: T[], filter: AuditFilter): T[] {
  return records.filter((r) => matchesFilter(r, filter)).sort((a, b) => b.at.localeCompare(a.at));
}

const countBy = <T>(items: T[], key: (item: T) => string) => {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
};
const top = (counts: Record<string, number>, n: number) =>
  Object.entries(counts)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, n)
    .map(([name, count]) => ({ name, count }));

/** By operation, by time window, and the access patterns (top paths, actors, addresses, failures). */
export function summarize(records: AuditLike[], windowMinutes: number) {
  const windowMs = windowMinutes * 60_000;
  const windows = countBy(records, (r) => new Date(Math.floor(Date.parse(r.at) / windowMs) * windowMs).toISOString());
  return {
    total: records.length,
    failures: records.filter((r) => !r.success).length,
    by_operation: countBy(records, (r) => r.operation),
    by_window: Object.entries(windows)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([start, count]) => ({ start, count })),
    window_minutes: windowMinutes,
    access_patterns: {
      top_paths: top(
        countBy(records, (r) => r.path),
        10,
      ),
      top_actors: top(
        countBy(records, (r) => r.actor),
        10,
      ),
      top_source_ips: top(
        countBy(
          records.filter((r) => r.sourceIp),
          (r) => r.sourceIp as string,
        ),
        10,
      ),
      failures_by_path: top(
        countBy(
          records.filter((r) => !r.success),
          (r) => r.path,
        ),
        10,
      ),
    },
  };
}

export interface Anomaly {
  kind: "read_rate" | "failure_burst" | "unusual_hour";
  subject: string;
  count: number;
  baseline: number;
  window_start: string;
  detail: string;
}

export interface AnomalyOptions {
  /** The recent window that is judged against the time before it. */
  windowMinutes: number;
  /** A path read at least this often in the window is flagged whatever its baseline. */
  threshold: number;
  /** ... or this many times its usual rate per window, with at least `minCount` reads. */
  rateFactor?: number;
  minCount?: number;
  /** Failures by one actor or address within one minute that make a burst (more than 5 a minute). */
  failuresPerMinute?: number;
  now: number;
}

/**
 * Anomaly detection: a path read far above its usual rate, bursts of failures, and access
 * at an hour of the day when the actor has never been active in the baseline.
 */
export function detectAnomalies(records: AuditLike[], options: AnomalyOptions): Anomaly[] {
  const windowMs = options.windowMinutes * 60_000;
  const windowStart = options.now - windowMs;
  const recent = records.filter((r) => Date.parse(r.at) > windowStart && Date.parse(r.at) <= options.now);
  const baseline = records.filter((r) => Date.parse(r.at) <= windowStart);
  const baselineSpan = baseline.length ? windowStart - Math.min(...baseline.map((r) => Date.parse(r.at))) : 0;
  const baselineWindows = Math.max(1, baselineSpan / windowMs);
  const anomalies: Anomaly[] = [];
  const iso = new Date(windowStart).toISOString();

  const isRead = (r: AuditLike) => r.operation === "read";
  const recentReads = countBy(recent.filter(isRead), (r) => r.path);
  const usualReads = countBy(baseline.filter(isRead), (r) => r.path);
  const factor = options.rateFactor ?? 5;
  const minCount = options.minCount ?? 20;
  for (const [path, count] of Object.entries(recentReads)) {
    const usual = (usualReads[path] ?? 0) / baselineWindows;
    if (count >= options.threshold || (count >= minCount && count > factor * Math.max(usual, 1))) {
      anomalies.push({
        kind: "read_rate",
        subject: path,
        count,
        baseline: Number(usual.toFixed(2)),
        window_start: iso,
        detail: `${count} reads in ${options.windowMinutes} min; usually ${usual.toFixed(1)}`,
      });
    }
  }

  const perMinute = options.failuresPerMinute ?? 5;
  const bursts = countBy(
    recent.filter((r) => !r.success),
    (r) => `${r.sourceIp ?? r.actor}|${new Date(Math.floor(Date.parse(r.at) / 60_000) * 60_000).toISOString()}`,
  );
  const worst: Record<string, { count: number; minute: string }> = {};
  for (const [key, count] of Object.entries(bursts)) {
    const [who, minute] = key.split("|") as [string, string];
    if (count > perMinute && count > (worst[who]?.count ?? 0)) worst[who] = { count, minute };
  }
  for (const [who, { count, minute }] of Object.entries(worst)) {
    anomalies.push({
      kind: "failure_burst",
      subject: who,
      count,
      baseline: perMinute,
      window_start: minute,
      detail: `${count} failed operations in one minute (more than ${perMinute})`,
    });
  }

  const hoursByActor: Record<string, Set<number>> = {};
  const baselineByActor = countBy(baseline, (r) => r.actor);
  for (const r of baseline) {
    const hours = hoursByActor[r.actor] ?? new Set<number>();
    hours.add(new Date(r.at).getUTCHours());
    hoursByActor[r.actor] = hours;
  }
  const unusual = countBy(
    recent.filter(
      (r) => (baselineByActor[r.actor] ?? 0) >= 20 && !hoursByActor[r.actor]?.has(new Date(r.at).getUTCHours()),
    ),
    (r) => r.actor,
  );
  for (const [actor, count] of Object.entries(unusual)) {
    anomalies.push({
      kind: "unusual_hour",
      subject: actor,
      count,
      baseline: 0,
      window_start: iso,
      detail: `${count} operations at an hour (UTC) when ${actor} was never active before`,
    });
  }
  return anomalies;
}
