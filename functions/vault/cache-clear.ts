import { httpRoute } from "@vaultops/lambda";
import { routes } from "../../infra/routes";

export const createHandler = httpRoute(routes.vaultCacheClear, async (request, ctx) => ({
  status: 200,
  body: await ctx.monitor.clearCache(request.actor),
}));

export const handler = createHandler();
