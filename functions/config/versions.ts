import { routes } from "@vaultops/api";
import { httpRoute } from "@vaultops/lambda";
import { configRef, seesSecrets } from "./request";

/** The history of a sensitive key needs secrets:read, as its values do. */
export const createHandler = httpRoute(routes.configVersions, async (request, ctx) => ({
  status: 200,
  body: await ctx.config.versions(configRef(request), { allowSensitive: seesSecrets(request) }),
}));

export const handler = createHandler();
