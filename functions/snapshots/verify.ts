import { routes } from "@vaultops/api";
import { httpRoute } from "@vaultops/lambda";
import { snapshotId } from "./request";

export const createHandler = httpRoute(routes.snapshotVerify, async (request, ctx) => ({
  status: 200,
  body: await ctx.snapshots.verify(snapshotId(request)),
}));

export const handler = createHandler();
