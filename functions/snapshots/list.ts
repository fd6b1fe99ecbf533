import { httpRoute } from "@vaultops/lambda";
import { routes } from "../../infra/routes";

export const createHandler = httpRoute(routes.snapshotList, async (request, ctx) => {
  const items = await ctx.snapshots.list({ type: request.query.type, status: request.query.status });
  return { status: 200, body: { items, total: items.length } };
});

export const handler = createHandler();
