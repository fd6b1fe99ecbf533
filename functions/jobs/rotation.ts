import { scheduledJob } from "@vaultops/lambda";

export const createHandler = scheduledJob("rotation", async (ctx) => {
  const summary = await ctx.rotation.runDue();
  return { ok: summary.failed === 0, summary: { ...summary } };
});

export const handler = createHandler();
