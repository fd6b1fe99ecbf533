import type { KvSecret } from "../vault/kv2";
import type { ConfigRef } from "./validation";

/** A configuration as the API shows it: id is always 0, the version and `updated_at` are KV v2's. */
export interface ConfigRecord {
  id: 0;
  key: string;
  value: string;
  environment: string;
  service_name: string;
  is_encrypted: boolean;
  version: number;
  created_at: string;
  updated_at: string;
}

/** What vaultops writes at `{mount}/data/{environment}/{service_name}/{key}`. */
export interface OwnData {
  value: string;
  is_encrypted: boolean;
  created_at?: string;
}

const OWN_FIELDS = new Set(["value", "is_encrypted", "created_at"]);

/**
 * Data in vaultops' own shape: a string `value`, an optional boolean `is_encrypted` and an optional
 * `created_at`, nothing else. Anything else was written by another client in its own shape
 * (`{username, password}` from Terraform, say) and is kept exactly as it is.
 */
export function isOwnShape(data: Record<string, unknown>): data is Record<string, unknown> & OwnData {
  return (
    typeof data.value === "string" &&
    (data.is_encrypted === undefined || typeof data.is_encrypted === "boolean") &&
    (data.created_at === undefined || typeof data.created_at === "string") &&
    Object.keys(data).every((k) => OWN_FIELDS.has(k))
  );
}

/**
 * Only data that says it is not sensitive may be cached: our shape with `is_encrypted: false`.
 * A missing flag, or another client's shape, counts as sensitive (never cache what is not classified).
 */
export const isCacheable = (data: Record<string, unknown>): boolean => isOwnShape(data) && data.is_encrypted === false;

/** The record of a live version; another client's data is shown whole, as JSON, and as sensitive. */
export function toRecord(ref: ConfigRef, secret: KvSecret): ConfigRecord {
  const data = secret.data;
  const own = isOwnShape(data);
  return {
    id: 0,
    key: ref.key,
    value: own ? data.value : JSON.stringify(data),
    environment: ref.environment,
    service_name: ref.service_name,
    is_encrypted: own ? data.is_encrypted !== false : true,
    version: secret.version,
    created_at: own && data.created_at ? new Date(data.created_at).toISOString() : secret.createdAt,
    updated_at: secret.createdAt,
  };
}
