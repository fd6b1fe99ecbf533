import { routes } from "@vaultops/api";
import { auditQuerySchema, parseInput, toFilter } from "@vaultops/core";
import { httpRoute } from "@vaultops/lambda";

export const createHandler = httpRoute(routes.auditQuery, async (request, ctx) => {
  const query = parseInput(auditQuerySchema, request.query);
  const page = await ctx.audit.query({
    ...toFilter(query),
    ...(query.from !== undefined ? { from: query.from } : {}),
    ...(query.to !== undefined ? { to: query.to } : {}),
    limit: query.limit,
    ...(query.cursor ? { cursor: query.cursor } : {}),
  });
  return { status: 200, body: { ...page, count: page.items.length } };
});

export const handler = createHandler();
