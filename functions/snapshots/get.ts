import { httpRoute } from "@vaultops/lambda";
import { routes } from "../../infra/routes";
import { snapshotId } from "./request";

export const createHandler = httpRoute(routes.snapshotGet, async (request, ctx) => ({
  status: 200,
  body: await ctx.snapshots.get(snapshotId(request)),
}));

export const handler = createHandler();
