import { httpRoute } from "@vaultops/lambda";
import { routes } from "../../infra/routes";

export const createHandler = httpRoute(routes.incidentList, async (_request, ctx) => {
  const items = await ctx.incidents.list();
  return { status: 200, body: { items, total: items.length } };
});

export const handler = createHandler();
