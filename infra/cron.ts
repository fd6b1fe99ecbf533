import { scheduleList } from "@vaultops/api";
import { functionArgs } from "./functions";

/** One EventBridge rule and function per job of the schedule table (its period: packages/api/src/schedules.ts). */
export const jobs = scheduleList.map(
  (job) =>
    new sst.aws.Cron(`${job.id[0]?.toUpperCase()}${job.id.slice(1)}Job`, {
      schedule: job.expression,
      function: functionArgs(job.handler),
    }),
);
