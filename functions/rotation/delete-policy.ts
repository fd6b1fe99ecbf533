import { routes } from "@vaultops/api";
import { httpRoute } from "@vaultops/lambda";
import { configRef } from "../config/request";

export const createHandler = httpRoute(routes.configRotationDelete, async (request, ctx) => {
  const ref = configRef(request);
  await ctx.rotation.deletePolicy(ref);
  return { status: 200, body: { message: "Rotation policy deleted", key: ref.key } };
});

export const handler = createHandler();
