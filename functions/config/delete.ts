import { routes } from "@vaultops/api";
import { parseIfMatch } from "@vaultops/core";
import { httpRoute } from "@vaultops/lambda";
import { configRef } from "./request";

export const createHandler = httpRoute(routes.configDelete, async (request, ctx) => {
  const ref = configRef(request);
  const result = await ctx.config.remove(
    ref,
    { ifMatch: parseIfMatch(request.headers["if-match"]), purge: request.query.purge === "true" },
    request.actor,
  );
  return { status: 200, body: { message: "Configuration deleted", key: ref.key, ...result } };
});

export const handler = createHandler();
