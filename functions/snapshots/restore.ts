import { routes } from "@vaultops/api";
import { PLAN_ID_PATTERN, ValidationError } from "@vaultops/core";
import { httpRoute } from "@vaultops/lambda";
import { flag } from "../config/request";
import { snapshotId } from "./request";

/**
 * A dry run unless `?dry_run=false` says otherwise: the plan comes first, and the real restore
 * takes its `plan_id` (or `force=true`).
 */
export const createHandler = httpRoute(routes.snapshotRestore, async (request, ctx) => {
  const dryRun = flag(request, "dry_run", true);
  const planId = request.query.plan_id;
  if (planId !== undefined && !PLAN_ID_PATTERN.test(planId)) throw new ValidationError("Invalid plan_id");
  return {
    status: 200,
    body: await ctx.snapshots.restore(
      snapshotId(request),
      { dryRun, planId, force: flag(request, "force") },
      request.actor,
    ),
  };
});

export const handler = createHandler();
