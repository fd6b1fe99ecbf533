import { httpRoute } from "@vaultops/lambda";
import { routes } from "../../infra/routes";

export const createHandler = httpRoute(routes.vaultCacheClear, async (_request, ctx) => ({
  status: 200,
  body: await ctx.monitor.clearCache(),
}));

export const handler = createHandler();
