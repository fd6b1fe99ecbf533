import { routes } from "@vaultops/api";
import { httpRoute } from "@vaultops/lambda";

export const createHandler = httpRoute(routes.vaultHealth, async (_request, ctx) => {
  const { healthy, body } = await ctx.monitor.health();
  return { status: healthy ? 200 : 503, body };
});

export const handler = createHandler();
