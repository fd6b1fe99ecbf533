import { routes } from "@vaultops/api";
import { parseIfMatch, parseInput, rollbackSchema } from "@vaultops/core";
import { bodyOr, httpRoute } from "@vaultops/lambda";
import { configRef, etag, present, sensitivityRights } from "./request";

export const createHandler = httpRoute(routes.configRollback, async (request, ctx) => {
  const input = parseInput(rollbackSchema, bodyOr(request, {}));
  const ifMatch = parseIfMatch(request.headers["if-match"]);
  const record = await ctx.config.rollback(
    configRef(request),
    { version: input.version, expected_version: ifMatch ?? input.expected_version, is_encrypted: input.is_encrypted },
    request.actor,
    sensitivityRights(request),
  );
  return { status: 200, body: present(record, request), headers: etag(record) };
});

export const handler = createHandler();
