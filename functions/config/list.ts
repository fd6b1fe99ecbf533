import { routes } from "@vaultops/api";
import { ForbiddenError, listQuerySchema, parseInput, pathAllowed, serviceAllowed } from "@vaultops/core";
import { httpRoute } from "@vaultops/lambda";
import { present } from "./request";

/** Only the keys the token may see; sensitive values masked without `secrets:read`. */
export const createHandler = httpRoute(routes.configList, async (request, ctx) => {
  const query = parseInput(listQuerySchema, request.query);
  const principal = request.principal;
  if (principal && !serviceAllowed(principal, query.environment, query.service_name)) {
    throw new ForbiddenError("This token may not use this service", {
      path: `${query.environment}/${query.service_name}`,
      details: `the token may use ${principal.paths?.join(", ")}`,
    });
  }
  const page = await ctx.config.list(query, request.actor, (path) => !principal || pathAllowed(principal, path));
  return { status: 200, body: { ...page, items: page.items.map((record) => present(record, request)) } };
});

export const handler = createHandler();
