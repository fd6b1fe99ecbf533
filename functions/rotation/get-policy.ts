import { routes } from "@vaultops/api";
import { httpRoute } from "@vaultops/lambda";
import { configRef } from "../config/request";

export const createHandler = httpRoute(routes.configRotationGet, async (request, ctx) => ({
  status: 200,
  body: await ctx.rotation.getPolicy(configRef(request)),
}));

export const handler = createHandler();
