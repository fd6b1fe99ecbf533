import { scheduledJob } from "@vaultops/lambda";

export const createHandler = scheduledJob("cache-sweep", (ctx) => ctx.monitor.runCacheSweepJob());

export const handler = createHandler();
