import { VaultValidationError } from "@vaultops/core";
import { httpRoute } from "@vaultops/lambda";
import { routes } from "../../infra/routes";
import { snapshotId } from "./request";

/** A dry run unless `?dry_run=false` says otherwise: the plan comes first. */
export const createHandler = httpRoute(routes.snapshotRestore, async (request, ctx) => {
  const flag = request.query.dry_run ?? "true";
  if (flag !== "true" && flag !== "false") throw new VaultValidationError("dry_run must be true or false");
  return {
    status: 200,
    body: await ctx.snapshots.restore(snapshotId(request), { dryRun: flag === "true" }, request.actor),
  };
});

export const handler = createHandler();
