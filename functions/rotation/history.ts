import { routes } from "@vaultops/api";
import { httpRoute } from "@vaultops/lambda";
import { configRef } from "../config/request";

export const createHandler = httpRoute(routes.configRotationHistory, async (request, ctx) => {
  const ref = configRef(request);
  return { status: 200, body: { key: ref.key, history: await ctx.rotation.history(ref) } };
});

export const handler = createHandler();
