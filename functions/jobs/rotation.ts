import { schedules } from "@vaultops/api";
import { scheduledJob } from "@vaultops/lambda";

export const createHandler = scheduledJob(schedules.rotation, async (ctx) => {
  const summary = await ctx.rotation.runDue();
  return { ok: summary.failed === 0, summary: { ...summary } };
});

export const handler = createHandler();
