import { scheduledJob } from "@vaultops/lambda";

export const createHandler = scheduledJob("snapshot", async (ctx) => {
  const started = Date.now();
  const actor = { name: "snapshot-job" };
  const manifest = await ctx.snapshots.create({ type: "full" }, actor);
  const cleanup = await ctx.snapshots.cleanup(actor);
  const summary = {
    id: manifest.id,
    paths: manifest.path_count,
    bytes: manifest.size_bytes,
    expired_deleted: cleanup.deleted.length,
  };
  await ctx.jobRuns.record("snapshot", { at: started, ok: true, durationMs: Date.now() - started, summary });
  return summary;
});

export const handler = createHandler();
