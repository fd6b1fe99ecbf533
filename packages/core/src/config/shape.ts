import type { KvSecret } from "./kv-store";
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

/**
 * Our shape, `{value, is_encrypted, created_at}` at `{mount}/data/{environment}/{service_name}/{key}`,
 * read: `sensitive` is true unless the data says `is_encrypted: false`. */
export interface OwnShape {
  value: string;
  sensitive: boolean;
  created_at?: string;
}

const OWN_FIELDS = new Set(["value", "is_encrypted", "created_at"]);

/**
 * `is_encrypted` as other clients write it: a boolean, or the string the Vault CLI writes for
 * `kv put ... is_encrypted=false` ("true" or "false"); `null` for anything else.
 */
function sensitivityFlag(v: unknown): boolean | undefined | null {
  if (v === undefined || typeof v === "boolean") return v;
  if (v === "true" || v === "false") return v === "true";
  return null;
}

/**
 * Data in vaultops' own shape: a string `value`, an optional `is_encrypted` and an optional
 * `created_at`, nothing else. Anything else was written by another client in its own shape
 * (`{username, password}` from Terraform, say): undefined, and kept exactly as it is.
 */
export function ownShape(data: Record<string, unknown>): OwnShape | undefined {
  const flag = sensitivityFlag(data.is_encrypted);
  if (
    typeof data.value !== "string" ||
    flag === null ||
    (data.created_at !== undefined && typeof data.created_at !== "string") ||
    !Object.keys(data).every((k) => OWN_FIELDS.has(k))
  )
    return undefined;
  return {
    value: data.value,
    sensitive: flag !== false,
    ...(typeof data.created_at === "string" ? { created_at: data.created_at } : {}),
  };
}

/**
 * Only data that says it is not sensitive may be cached: our shape with `is_encrypted` false.
 * A missing flag, or another client's shape, counts as sensitive (never cache what is not classified).
 */
export const isSensitive = (data: Record<string, unknown>): boolean => ownShape(data)?.sensitive ?? true;
export const isCacheable = (data: Record<string, unknown>): boolean => !isSensitive(data);

/**
 * The record of a live version; another client's data is shown whole, as JSON, and as sensitive. A
 * version of a key marked sensitive is sensitive, whatever its own data says.
 */
export function toRecord(ref: ConfigRef, secret: KvSecret): ConfigRecord {
  const own = ownShape(secret.data);
  return {
    id: 0,
    key: ref.key,
    value: own ? own.value : JSON.stringify(secret.data),
    environment: ref.environment,
    service_name: ref.service_name,
    is_encrypted: (own?.sensitive ?? true) || secret.keySensitive === true,
    version: secret.version,
    created_at: own?.created_at ? new Date(own.created_at).toISOString() : secret.createdAt,
    updated_at: secret.createdAt,
  };
}
