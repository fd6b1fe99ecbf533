import { listQuerySchema, parseInput } from "@vaultops/core";
import { httpRoute } from "@vaultops/lambda";
import { routes } from "../../infra/routes";

export const createHandler = httpRoute(routes.configList, async (request, ctx) => ({
  status: 200,
  body: await ctx.config.list(parseInput(listQuerySchema, request.query), request.actor),
}));

export const handler = createHandler();
