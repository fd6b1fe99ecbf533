import { routes } from "@vaultops/api";
import { httpRoute } from "@vaultops/lambda";

export const createHandler = httpRoute(routes.rotationStatus, async (_request, ctx) => ({
  status: 200,
  body: await ctx.rotation.statusAll(),
}));

export const handler = createHandler();
