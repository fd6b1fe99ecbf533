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
} as const satisfies Record<string, ScheduleDefinition>;

export type ScheduleId = keyof typeof schedules;

export const scheduleList: Array<ScheduleDefinition & { id: ScheduleId }> = Object.entries(schedules).map(
  ([id, schedule]) => ({ id: id as ScheduleId, ...schedule }),
);
