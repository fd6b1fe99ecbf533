import { scheduledJob } from "@vaultops/lambda";

export const createHandler = scheduledJob("rotation", async (ctx) => {
  const started = Date.now();
  const summary = await ctx.rotation.runDue();
  await ctx.jobRuns.record("rotation", {
    at: started,
    ok: summary.failed === 0,
    durationMs: Date.now() - started,
    summary,
  });
  return summary;
});

export const handler = createHandler();
