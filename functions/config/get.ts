import { routes } from "@vaultops/api";
import { parseInput, versionQuerySchema } from "@vaultops/core";
import { httpRoute } from "@vaultops/lambda";
import { configRef, etag, seesSecrets, wantsFresh } from "./request";

/** A sensitive value needs `secrets:read`: without it the answer is 403 secrets_scope_required. */
export const createHandler = httpRoute(routes.configGet, async (request, ctx) => {
  const version = parseInput(versionQuerySchema, request.query.version);
  const record = await ctx.config.get(
    configRef(request),
    { version, revalidate: wantsFresh(request), allowSensitive: seesSecrets(request) },
    request.actor,
  );
  return { status: 200, body: record, headers: etag(record) };
});

export const handler = createHandler();
