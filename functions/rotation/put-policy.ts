import { routes } from "@vaultops/api";
import { parseInput, rotationPolicySchema } from "@vaultops/core";
import { bodyOr, httpRoute } from "@vaultops/lambda";
import { configRef } from "../config/request";

export const createHandler = httpRoute(routes.configRotationPut, async (request, ctx) => ({
  status: 200,
  body: await ctx.rotation.putPolicy(
    configRef(request),
    parseInput(rotationPolicySchema, bodyOr(request, {})),
    request.actor,
  ),
}));

export const handler = createHandler();
