import { routes } from "@vaultops/api";
import { parseIfMatch, parseInput, updateConfigSchema } from "@vaultops/core";
import { bodyOr, httpRoute } from "@vaultops/lambda";
import { configRef, etag, flag, present, sensitivityRights } from "./request";

export const createHandler = httpRoute(routes.configUpdate, async (request, ctx) => {
  const ref = configRef(request);
  const input = parseInput(updateConfigSchema, bodyOr(request, {}));
  const record = await ctx.config.update(
    ref,
    { ...input, ifMatch: parseIfMatch(request.headers["if-match"]), replace: flag(request, "replace") },
    request.actor,
    "update",
    sensitivityRights(request),
  );
  return { status: 200, body: present(record, request), headers: etag(record) };
});

export const handler = createHandler();
