import {
  type ConfigRecord,
  type ConfigRef,
  configRefSchema,
  ForbiddenError,
  hasScope,
  parseInput,
  pathAllowed,
  refPath,
  serviceAllowed,
  ValidationError,
  withheld,
} from "@vaultops/core";
import type { ApiRequest } from "@vaultops/lambda";

/** Refuses (403) a configuration path outside the token's path limits, before anything is read. */
export function assertPath(request: ApiRequest, path: string): void {
  if (request.principal && !pathAllowed(request.principal, path))
    outsidePaths(request, "This token may not use this configuration path", path);
}

/** Refuses (403) a list of a service where none of the token's path patterns could match a key. */
export function assertService(request: ApiRequest, environment: string, service: string): void {
  if (request.principal && !serviceAllowed(request.principal, environment, service))
    outsidePaths(request, "This token may not use this service", `${environment}/${service}`);
}

function outsidePaths(request: ApiRequest, message: string, path: string): never {
  throw new ForbiddenError(message, { path, details: `the token may use ${request.principal?.paths?.join(", ")}` });
}

/** `{key}` from the path, `environment` and `service_name` from the query string; within the token's paths. */
export function configRef(request: ApiRequest): ConfigRef {
  const ref = parseInput(configRefSchema, {
    key: request.pathParams.key,
    environment: request.query.environment,
    service_name: request.query.service_name,
  });
  assertPath(request, refPath(ref));
  return ref;
}

/** Whether the caller may see sensitive values (`secrets:read`, or `admin`). */
export const seesSecrets = (request: ApiRequest): boolean =>
  request.principal !== undefined && hasScope(request.principal, "secrets:read");

/** Only an admin may make a key that is (or was) sensitive plain again. */
export const sensitivityRights = (request: ApiRequest): { mayMakePlain: boolean } => ({
  mayMakePlain: request.principal !== undefined && hasScope(request.principal, "admin"),
});

export type Presented = Omit<ConfigRecord, "value"> & { value: string | null; value_sha256_prefix?: string };

/**
 * A record as this caller may see it: a sensitive value without `secrets:read` becomes null, with its
 * 8-byte SHA-256 prefix beside it (the shape stays the same).
 */
export function present(record: ConfigRecord, request: ApiRequest): Presented {
  if (!record.is_encrypted || seesSecrets(request)) return record;
  return withheld(record);
}

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
