import { routes } from "@vaultops/api";
import { parseIfNoneMatch, parseInput, versionQuerySchema } from "@vaultops/core";
import { httpRoute } from "@vaultops/lambda";
import { configRef, etag, seesSecrets, wantsFresh } from "./request";

/**
 * A sensitive value needs `secrets:read`: without it the answer is 403 secrets_scope_required. With
 * `If-None-Match` naming the version this read would serve (`"3"`, `W/"3"`, `"2", "3"`, `*`), the answer
 * is 304 Not Modified: the ETag and no body, after the same read and the same refusals.
 */
export const createHandler = httpRoute(routes.configGet, async (request, ctx) => {
  const version = parseInput(versionQuerySchema, request.query.version);
  const ref = configRef(request);
  const ifNoneMatch = parseIfNoneMatch(request.headers["if-none-match"]);
  const options = { version, revalidate: wantsFresh(request), allowSensitive: seesSecrets(request) };
  if (ifNoneMatch === undefined) {
    const record = await ctx.config.get(ref, options, request.actor);
    return { status: 200, body: record, headers: etag(record) };
  }
  const { record, notModified } = await ctx.config.getUnlessCurrent(ref, { ...options, ifNoneMatch }, request.actor);
  return notModified ? { status: 304, headers: etag(record) } : { status: 200, body: record, headers: etag(record) };
});

export const handler = createHandler();
