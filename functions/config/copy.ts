import { routes } from "@vaultops/api";
import { ConfigCopy, parseCopyRequest } from "@vaultops/core";
import { bodyOr, httpRoute } from "@vaultops/lambda";

/** Never a value in the answer: keys, versions, sensitivity and an 8-byte hash per key. */
export const createHandler = httpRoute(routes.configCopy, async (request, ctx) => {
  const input = parseCopyRequest(bodyOr(request, {}));
  // Built here, not in the shared context: only this function carries the copy code.
  const copier = new ConfigCopy({ backends: ctx.backends, activity: ctx.configActivity });
  return { status: 200, body: await copier.copy(input, request.actor) };
});

export const handler = createHandler();
