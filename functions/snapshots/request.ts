import { ValidationError } from "@vaultops/core";
import type { ApiRequest } from "@vaultops/lambda";

/** Snapshot ids are `snap-<time>-<hex>`; anything else is refused before it reaches storage. */
export function snapshotId(request: ApiRequest): string {
  const id = request.pathParams.id ?? "";
  if (!/^snap-[0-9A-Za-z]{1,32}-[0-9a-f]{6}$/.test(id))
    throw new ValidationError("Invalid snapshot id", { details: id.slice(0, 64) });
  return id;
}
