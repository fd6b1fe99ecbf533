import { routes } from "@vaultops/api";
import { listQuerySchema, parseInput, pathAllowed } from "@vaultops/core";
import { httpRoute } from "@vaultops/lambda";
import { assertService, present } from "./request";

/** Only the keys the token may see; sensitive values masked without `secrets:read`. */
export const createHandler = httpRoute(routes.configList, async (request, ctx) => {
  const query = parseInput(listQuerySchema, request.query);
  const principal = request.principal;
  assertService(request, query.environment, query.service_name);
  const page = await ctx.config.list(query, request.actor, (path) => !principal || pathAllowed(principal, path));
  return { status: 200, body: { ...page, items: page.items.map((record) => present(record, request)) } };
});

export const handler = createHandler();
