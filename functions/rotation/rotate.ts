import { routes } from "@vaultops/api";
import { httpRoute } from "@vaultops/lambda";
import { configRef } from "../config/request";

export const createHandler = httpRoute(routes.configRotate, async (request, ctx) => ({
  status: 200,
  body: await ctx.rotation.rotate(configRef(request), request.actor, "manual"),
}));

export const handler = createHandler();
