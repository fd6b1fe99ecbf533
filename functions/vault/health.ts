import { httpRoute } from "@vaultops/lambda";
import { routes } from "../../infra/routes";

export const createHandler = httpRoute(routes.vaultHealth, async (_request, ctx) => {
  const { healthy, body } = await ctx.monitor.health();
  return { status: healthy ? 200 : 503, body };
});

export const handler = createHandler();
