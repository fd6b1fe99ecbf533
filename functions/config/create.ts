import { routes } from "@vaultops/api";
import { createConfigSchema, parseInput, refPath } from "@vaultops/core";
import { bodyOr, httpRoute } from "@vaultops/lambda";
import { assertPath, etag, present, sensitivityRights } from "./request";

export const createHandler = httpRoute(routes.configCreate, async (request, ctx) => {
  const input = parseInput(createConfigSchema, bodyOr(request, {}));
  assertPath(request, refPath(input));
  const record = await ctx.config.create(input, request.actor, sensitivityRights(request));
  return { status: 201, body: present(record, request), headers: etag(record) };
});

export const handler = createHandler();
