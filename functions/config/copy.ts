import { routes } from "@vaultops/api";
import { copyRequestSchema, parseInput } from "@vaultops/core";
import { bodyOr, httpRoute } from "@vaultops/lambda";

/** Never a value in the answer: keys, versions, sensitivity and an 8-byte hash per key. */
export const createHandler = httpRoute(routes.configCopy, async (request, ctx) => {
  const input = parseInput(copyRequestSchema, bodyOr(request, {}));
  return { status: 200, body: await ctx.configCopy.copy(input, request.actor) };
});

export const handler = createHandler();
