import { routes } from "@vaultops/api";
import { parseInput, snapshotCreateSchema } from "@vaultops/core";
import { bodyOr, httpRoute } from "@vaultops/lambda";

export const createHandler = httpRoute(routes.snapshotCreate, async (request, ctx) => {
  const input = parseInput(snapshotCreateSchema, bodyOr(request, {}));
  const manifest = await ctx.snapshots.create(
    {
      type: input.type,
      prefix: input.prefix,
      ...(input.retention_days ? { retentionDays: input.retention_days } : {}),
    },
    request.actor,
  );
  return { status: 201, body: manifest };
});

export const handler = createHandler();
