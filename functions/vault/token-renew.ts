import { routes } from "@vaultops/api";
import { httpRoute } from "@vaultops/lambda";

export const createHandler = httpRoute(routes.vaultTokenRenew, async (request, ctx) => ({
  status: 200,
  body: await ctx.monitor.renewToken(request.actor),
}));

export const handler = createHandler();
