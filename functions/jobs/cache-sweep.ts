import { schedules } from "@vaultops/api";
import { scheduledJob } from "@vaultops/lambda";

export const createHandler = scheduledJob(schedules.cacheSweep, (ctx) => ctx.monitor.runCacheSweepJob());

export const handler = createHandler();
