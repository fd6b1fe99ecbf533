import { scheduledJob } from "@vaultops/lambda";

export const createHandler = scheduledJob("health-check", (ctx) => ctx.monitor.runHealthCheckJob());

export const handler = createHandler();
