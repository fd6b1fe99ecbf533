import { type ConfigRecord, type ConfigRef, configRefSchema, parseInput, VaultValidationError } from "@vaultops/core";
import type { ApiRequest } from "@vaultops/lambda";

/** `{key}` from the path, `environment` and `service_name` from the query string. */
export const configRef = (request: ApiRequest): ConfigRef =>
  parseInput(configRefSchema, {
    key: request.pathParams.key,
    environment: request.query.environment,
    service_name: request.query.service_name,
  });

/** The version as a strong ETag, for If-Match on the next write. */
export const etag = (record: Pick<ConfigRecord, "version">) => ({ etag: `"${record.version}"` });

/** `Cache-Control: no-cache` (or `Pragma: no-cache`): read Vault, not a cached copy, and refresh the cache. */
export const wantsFresh = (request: ApiRequest): boolean =>
  /(^|,)\s*(no-cache|max-age=0)\s*(,|$)/i.test(request.headers["cache-control"] ?? "") ||
  /no-cache/i.test(request.headers.pragma ?? "");

/** A `?name=true|false` query flag; anything else is a 400. */
export function flag(request: ApiRequest, name: string): boolean {
  const value = request.query[name];
  if (value === undefined) return false;
  if (value !== "true" && value !== "false") throw new VaultValidationError(`${name} must be true or false`);
  return value === "true";
}
