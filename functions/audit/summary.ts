import { routes } from "@vaultops/api";
import { auditQuerySchema, parseInput, summarize, toFilter } from "@vaultops/core";
import { httpRoute } from "@vaultops/lambda";

/** A summary reads at most this many records (the newest of the range). */
const SUMMARY_MAX_RECORDS = 10_000;

export const createHandler = httpRoute(routes.auditSummary, async (request, ctx) => {
  const query = parseInput(auditQuerySchema, request.query);
  const { items, next_cursor } = await ctx.audit.query({
    ...toFilter(query),
    ...(query.from !== undefined ? { from: query.from } : {}),
    ...(query.to !== undefined ? { to: query.to } : {}),
    limit: SUMMARY_MAX_RECORDS,
  });
  // The newest records only, when the range holds more: said, so `total` is not read as the range's.
  const truncated = next_cursor !== null;
  return {
    status: 200,
    body: {
      ...summarize(items, query.window_minutes),
      truncated,
      ...(truncated ? { oldest_examined: items[items.length - 1]?.at ?? null } : {}),
    },
  };
});

export const handler = createHandler();
