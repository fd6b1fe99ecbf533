import { routes } from "@vaultops/api";
import { httpRoute } from "@vaultops/lambda";
import { snapshotId } from "./request";

export const createHandler = httpRoute(routes.snapshotDelete, async (request, ctx) => {
  const id = snapshotId(request);
  await ctx.snapshots.delete(id, request.actor);
  return { status: 200, body: { message: "Snapshot deleted", id } };
});

export const handler = createHandler();
