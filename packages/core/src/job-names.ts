/**
 * The scheduled jobs' names, written once: the handler file under functions/jobs/ (`functions/jobs/<name>.ts`,
 * function `jobs-<name>`), the job-run record (`job#<name>`) and every reader of that record.
 * The schedule table (packages/api/src/schedules.ts) gives each its period.
 */
export const jobNames = {
  healthCheck: "health-check",
  cacheSweep: "cache-sweep",
  rotation: "rotation",
  snapshot: "snapshot",
} as const;

export type JobName = (typeof jobNames)[keyof typeof jobNames];

/** The function of a job (dist/functions/jobs-<name>, as functionName() derives it from the handler). */
export const jobFunction = (name: JobName): `jobs-${JobName}` => `jobs-${name}`;
