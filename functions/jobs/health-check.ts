import { schedules } from "@vaultops/api";
import { scheduledJob } from "@vaultops/lambda";

export const createHandler = scheduledJob(schedules.healthCheck, (ctx) => ctx.monitor.runHealthCheckJob());

export const handler = createHandler();
