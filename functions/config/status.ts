import { httpRoute } from "@vaultops/lambda";
import { routes } from "../../infra/routes";

export const createHandler = httpRoute(routes.configStatus, async (_request, ctx) => ({
  status: 200,
  body: await ctx.config.status(),
}));

export const handler = createHandler();
