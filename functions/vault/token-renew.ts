import { httpRoute } from "@vaultops/lambda";
import { routes } from "../../infra/routes";

export const createHandler = httpRoute(routes.vaultTokenRenew, async (_request, ctx) => ({
  status: 200,
  body: await ctx.monitor.renewToken(),
}));

export const handler = createHandler();
