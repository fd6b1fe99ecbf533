import { routes } from "@vaultops/api";
import { metricsQuerySchema, parseInput } from "@vaultops/core";
import { httpRoute } from "@vaultops/lambda";

/** JSON by default; Prometheus text with `?format=prometheus` or `Accept: text/plain`. */
export const createHandler = httpRoute(routes.vaultMetrics, async (request, ctx) => {
  const { format } = parseInput(metricsQuerySchema, request.query);
  const accept = request.headers.accept ?? "";
  const prometheus =
    format === "prometheus" ||
    (format === undefined && /text\/plain/.test(accept) && !/application\/json/.test(accept));
  if (prometheus) return { status: 200, text: await ctx.monitor.prometheus() };
  return { status: 200, body: await ctx.monitor.metrics() };
});

export const handler = createHandler();
