import { parseInput, versionQuerySchema } from "@vaultops/core";
import { httpRoute } from "@vaultops/lambda";
import { routes } from "../../infra/routes";
import { configRef, etag, wantsFresh } from "./request";

export const createHandler = httpRoute(routes.configGet, async (request, ctx) => {
  const version = parseInput(versionQuerySchema, request.query.version);
  const record = await ctx.config.get(configRef(request), { version, revalidate: wantsFresh(request) }, request.actor);
  return { status: 200, body: record, headers: etag(record) };
});

export const handler = createHandler();
