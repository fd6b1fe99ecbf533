import { httpRoute } from "@vaultops/lambda";
import { routes } from "../../infra/routes";

export const createHandler = httpRoute(routes.rotationStatus, async (_request, ctx) => ({
  status: 200,
  body: await ctx.rotation.statusAll(),
}));

export const handler = createHandler();
