import { type ConfigRecord, type ConfigRef, configRefSchema, parseInput, ValidationError } from "@vaultops/core";
import { type ApiRequest, authorize, type Presented } from "@vaultops/lambda";

export type { Presented };

/*
 * Who may touch which path, see which value, and make what plain is decided by authorize()
 * (packages/lambda/src/authorize.ts); these are the routes' words for its answers.
 */

/** Refuses (403) a configuration path outside the token's path limits, before anything is read. */
export function assertPath(request: ApiRequest, path: string): void {
  authorize(request, path);
}

/** Refuses (403) a list of a service where none of the token's path patterns could match a key. */
export function assertService(request: ApiRequest, environment: string, service: string): void {
  authorize(request, { environment, service_name: service });
}

/** `{key}` from the path, `environment` and `service_name` from the query string; within the token's paths. */
export function configRef(request: ApiRequest): ConfigRef {
  const ref = parseInput(configRefSchema, {
    key: request.pathParams.key,
    environment: request.query.environment,
    service_name: request.query.service_name,
  });
  authorize(request, ref);
  return ref;
}

/** Whether the caller may see sensitive values (`secrets:read`, or `admin`): the core's `allowSensitive`. */
export const seesSecrets = (request: ApiRequest): boolean => authorize(request).sensitive;

/** Only an admin may make a key that is (or was) sensitive plain again. */
export const sensitivityRights = (request: ApiRequest): { mayMakePlain: boolean } => ({
  mayMakePlain: authorize(request).mayMakePlain,
});

/**
 * A record as this caller may see it: a sensitive value without `secrets:read` becomes null, with its
 * 8-byte SHA-256 prefix beside it (the shape stays the same).
 */
export const present = (record: ConfigRecord, request: ApiRequest): Presented => authorize(request).present(record);

/** The version as a strong ETag, for If-Match on the next write. */
export const etag = (record: Pick<ConfigRecord, "version">) => ({ etag: `"${record.version}"` });

/** `Cache-Control: no-cache` (or `Pragma: no-cache`): read Vault, not a cached copy, and refresh the cache. */
export const wantsFresh = (request: ApiRequest): boolean =>
  /(^|,)\s*(no-cache|max-age=0)\s*(,|$)/i.test(request.headers["cache-control"] ?? "") ||
  /no-cache/i.test(request.headers.pragma ?? "");

/** A `?name=true|false` query flag (`fallback` when absent); anything else is a 400. */
export function flag(request: ApiRequest, name: string, fallback = false): boolean {
  const value = request.query[name];
  if (value === undefined) return fallback;
  if (value !== "true" && value !== "false") throw new ValidationError(`${name} must be true or false`);
  return value === "true";
}
