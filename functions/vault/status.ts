import { routes } from "@vaultops/api";
import { lifecycleStatus } from "@vaultops/core";
import { httpRoute } from "@vaultops/lambda";

export const createHandler = httpRoute(routes.vaultStatus, async (_request, ctx) => ({
  status: 200,
  body: await ctx.monitor.status(await lifecycleStatus(ctx)),
}));

export const handler = createHandler();
