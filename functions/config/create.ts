import { createConfigSchema, parseInput } from "@vaultops/core";
import { bodyOr, httpRoute } from "@vaultops/lambda";
import { routes } from "../../infra/routes";
import { etag } from "./request";

export const createHandler = httpRoute(routes.configCreate, async (request, ctx) => {
  const record = await ctx.config.create(parseInput(createConfigSchema, bodyOr(request, {})), request.actor);
  return { status: 201, body: record, headers: etag(record) };
});

export const handler = createHandler();
