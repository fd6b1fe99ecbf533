import { lifecycleStatus } from "@vaultops/core";
import { httpRoute } from "@vaultops/lambda";
import { routes } from "../../infra/routes";

export const createHandler = httpRoute(routes.vaultStatus, async (_request, ctx) => ({
  status: 200,
  body: await ctx.monitor.status(await lifecycleStatus(ctx)),
}));

export const handler = createHandler();
