import { routes } from "@vaultops/api";
import { auditQuerySchema, detectAnomalies, parseInput, toFilter } from "@vaultops/core";
import { httpRoute } from "@vaultops/lambda";

/** The last `window_minutes` judged against the `baseline_hours` before them. */
export const createHandler = httpRoute(routes.auditAnomalies, async (request, ctx) => {
  const query = parseInput(auditQuerySchema, request.query);
  const now = query.to ?? ctx.clock.now();
  const { items, next_cursor } = await ctx.audit.query({
    ...toFilter(query),
    from: now - query.baseline_hours * 3_600_000 - query.window_minutes * 60_000,
    to: now,
    limit: 50_000,
  });
  const anomalies = detectAnomalies(items, { windowMinutes: query.window_minutes, threshold: query.threshold, now });
  return {
    status: 200,
    body: { anomalies, examined: items.length, truncated: next_cursor !== null, window_minutes: query.window_minutes },
  };
});

export const handler = createHandler();
