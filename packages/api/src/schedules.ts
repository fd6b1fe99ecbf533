import type { Duration } from "./routes";

/**
 * THE schedule table, read by sst.config.ts (EventBridge rules through sst.aws.Cron),
 * the local runtime's scheduler and the tests.
 */
export interface ScheduleDefinition {
  handler: string;
  /** EventBridge rate expression value, as in `rate(1 minute)`. */
  rate: string;
  /** The same period in milliseconds, for the local scheduler. */
  everyMs: number;
  summary: string;
  /** The local runtime runs a job once at start unless this is false. */
  runAtStart?: boolean;
  /** Lambda timeout when the jobs' default (60 s) is too short. */
  timeout?: Duration;
}

export const schedules = {
  healthCheck: {
    handler: "functions/jobs/health-check.handler",
    rate: "1 minute",
    everyMs: 60_000,
    summary: "Record Vault health, publish CloudWatch metrics, renew the token under its threshold",
  },
  cacheSweep: {
    handler: "functions/jobs/cache-sweep.handler",
    rate: "5 minutes",
    everyMs: 300_000,
    summary: "Delete expired shared-cache entries and record the sweep",
  },
  rotation: {
    handler: "functions/jobs/rotation.handler",
    rate: "1 hour",
    everyMs: 3_600_000,
    summary: "Rotate the secrets whose policy is due; end grace periods that are over",
  },
  snapshot: {
    handler: "functions/jobs/snapshot.handler",
    rate: "1 day",
    everyMs: 86_400_000,
    summary: "Create the daily snapshot and delete those past their retention",
    runAtStart: false,
    // It reads every secret: 22,200 keys took 13.5 s on a local OpenBao; Lambda's maximum leaves room.
    timeout: "900 seconds",
  },
} as const satisfies Record<string, ScheduleDefinition>;

export type ScheduleId = keyof typeof schedules;

export const scheduleList: Array<ScheduleDefinition & { id: ScheduleId }> = Object.entries(schedules).map(
  ([id, schedule]) => ({ id: id as ScheduleId, ...schedule }),
);
