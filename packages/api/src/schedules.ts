import { type JobName, jobNames } from "@vaultops/core/job-names";
import type { Duration } from "./routes";

/** A job's period, as EventBridge's rate expression writes it (`1 minute`, `5 minutes`, `1 day`). */
export type Period = `1 ${PeriodUnit}` | `${number} ${PeriodUnit}s`;
type PeriodUnit = "minute" | "hour" | "day";

const unitMs: Record<PeriodUnit, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** The EventBridge schedule expression of a period: `rate(1 minute)`. */
export const rateExpression = (period: Period): `rate(${Period})` => `rate(${period})`;

/** The same period in milliseconds, for the local runtime's scheduler. */
export function periodMs(period: Period): number {
  const [amount = "", unit = ""] = period.split(" ");
  return Number(amount) * (unitMs[unit.replace(/s$/, "") as PeriodUnit] ?? Number.NaN);
}

/**
 * THE schedule table, read by sst.config.ts (EventBridge rules through sst.aws.Cron),
 * the local runtime's scheduler and the tests. Each job's period is written once (`rate`): the rule's
 * `rate(...)` expression and the local interval (`everyMs`) are derived from it.
 */
export interface ScheduleDefinition {
  /** The job's name (packages/core/src/job-names.ts): its handler file and its job-run record. */
  name: JobName;
  handler: string;
  /** The period, EventBridge's rate expression value, as in `rate(1 minute)`. */
  rate: Period;
  /** The EventBridge schedule expression, `rate(<rate>)` (derived). */
  expression: `rate(${Period})`;
  /** The same period in milliseconds, for the local scheduler (derived). */
  everyMs: number;
  summary: string;
  /** The local runtime runs a job once at start unless this is false. */
  runAtStart?: boolean;
  /** Lambda timeout when the jobs' default (60 s) is too short. */
  timeout?: Duration;
}

/** A job's entry: its handler is functions/jobs/<name>.ts; the expression and interval come from `rate`. */
function job<const N extends JobName, const R extends Pick<ScheduleDefinition, "summary" | "runAtStart" | "timeout">>(
  name: N,
  rate: Period,
  rest: R,
) {
  return {
    name,
    handler: `functions/jobs/${name}.handler` as const,
    rate,
    expression: rateExpression(rate),
    everyMs: periodMs(rate),
    ...rest,
  };
}

export const schedules = {
  healthCheck: job(jobNames.healthCheck, "1 minute", {
    summary: "Record Vault health, publish CloudWatch metrics, renew the token under its threshold",
  }),
  cacheSweep: job(jobNames.cacheSweep, "5 minutes", {
    summary: "Delete expired shared-cache entries and record the sweep",
  }),
  rotation: job(jobNames.rotation, "1 hour", {
    summary: "Rotate the secrets whose policy is due; end grace periods that are over",
  }),
  snapshot: job(jobNames.snapshot, "1 day", {
    summary: "Create the daily snapshot and delete those past their retention",
    runAtStart: false,
    // It reads every secret: 22,200 keys took 13.5 s on a local OpenBao; Lambda's maximum leaves room.
    timeout: "900 seconds",
  }),
} as const satisfies Record<string, ScheduleDefinition>;

export type ScheduleId = keyof typeof schedules;

export const scheduleList: Array<ScheduleDefinition & { id: ScheduleId }> = Object.entries(schedules).map(
  ([id, schedule]) => ({ id: id as ScheduleId, ...schedule }),
);
