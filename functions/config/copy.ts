import { routes } from "@vaultops/api";
import { ConfigCopy, parseCopyRequest, type VaultopsContext } from "@vaultops/core";
import { bodyOr, httpRoute } from "@vaultops/lambda";

/** Built here, not in the shared context: only this function carries the copy code. */
const copiers = new WeakMap<VaultopsContext, ConfigCopy>();
const copierOf = (ctx: VaultopsContext) => {
  let copier = copiers.get(ctx);
  if (!copier) {
    copier = new ConfigCopy({ backends: ctx.backends, activity: ctx.configActivity });
    copiers.set(ctx, copier);
  }
  return copier;
};

/** Never a value in the answer: keys, versions, sensitivity and an 8-byte hash per key. */
export const createHandler = httpRoute(routes.configCopy, async (request, ctx) => {
  const input = parseCopyRequest(bodyOr(request, {}));
  return { status: 200, body: await copierOf(ctx).copy(input, request.actor) };
});

export const handler = createHandler();
