import { routes } from "@vaultops/api";
import { httpRoute } from "@vaultops/lambda";

export const createHandler = httpRoute(routes.incidentList, async (_request, ctx) => {
  const items = await ctx.incidents.list();
  return { status: 200, body: { items, total: items.length } };
});

export const handler = createHandler();
