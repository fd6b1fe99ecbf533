import { routes } from "@vaultops/api";
import { httpRoute } from "@vaultops/lambda";
import { configRef } from "./request";

export const createHandler = httpRoute(routes.configVersions, async (request, ctx) => ({
  status: 200,
  body: await ctx.config.versions(configRef(request)),
}));

export const handler = createHandler();
