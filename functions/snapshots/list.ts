import { routes } from "@vaultops/api";
import { parseInput, snapshotListQuerySchema } from "@vaultops/core";
import { httpRoute } from "@vaultops/lambda";

export const createHandler = httpRoute(routes.snapshotList, async (request, ctx) => {
  const items = await ctx.snapshots.list(parseInput(snapshotListQuerySchema, request.query));
  return { status: 200, body: { items, total: items.length } };
});

export const handler = createHandler();
