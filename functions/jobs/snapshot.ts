import { schedules } from "@vaultops/api";
import { scheduledJob } from "@vaultops/lambda";

export const createHandler = scheduledJob(schedules.snapshot, async (ctx) => {
  const actor = { name: "snapshot-job" };
  const manifest = await ctx.snapshots.create({ type: "full" }, actor);
  const cleanup = await ctx.snapshots.cleanup(actor);
  return {
    ok: manifest.status !== "failed",
    summary: {
      id: manifest.id,
      paths: manifest.path_count,
      bytes: manifest.size_bytes,
      expired_deleted: cleanup.deleted.length,
    },
  };
});

export const handler = createHandler();
