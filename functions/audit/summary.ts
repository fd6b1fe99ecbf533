import { routes } from "@vaultops/api";
import { auditQuerySchema, parseInput, summarize, toFilter } from "@vaultops/core";
import { httpRoute } from "@vaultops/lambda";

export const createHandler = httpRoute(routes.auditSummary, async (request, ctx) => {
  const query = parseInput(auditQuerySchema, request.query);
  const { items } = await ctx.audit.query({
    ...toFilter(query),
    ...(query.from !== undefined ? { from: query.from } : {}),
    ...(query.to !== undefined ? { to: query.to } : {}),
    limit: 10_000,
  });
  return { status: 200, body: summarize(items, query.window_minutes) };
});

export const handler = createHandler();
