import { routes } from "@vaultops/api";
import { httpRoute } from "@vaultops/lambda";

export const createHandler = httpRoute(routes.configStatus, async (_request, ctx) => ({
  status: 200,
  body: await ctx.monitor.configStatus(),
}));

export const handler = createHandler();
