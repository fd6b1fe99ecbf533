import { routes } from "@vaultops/api";
import { httpRoute } from "@vaultops/lambda";

export const createHandler = httpRoute(routes.vaultCacheClear, async (request, ctx) => ({
  status: 200,
  body: await ctx.monitor.clearCache(request.actor),
}));

export const handler = createHandler();
