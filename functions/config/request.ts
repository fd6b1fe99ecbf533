import { type ConfigRecord, type ConfigRef, configRefSchema, parseInput } from "@vaultops/core";
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
