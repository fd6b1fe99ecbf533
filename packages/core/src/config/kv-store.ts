/**
 * The one KV port of the configuration domain: what the configuration service, the snapshots and the
 * copy need of a key-value backend with versions (Vault KV v2 in vault/kv2.ts, Secrets Manager in
 * aws/secrets-manager-kv.ts, a Map in unit tests), with the types it speaks.
 */

/** One version as KV v2's metadata reports it, times as ISO 8601 in milliseconds. */
export interface KvVersionInfo {
  version: number;
  created_at: string;
  /** When the version is (or will be, with `delete_version_after`) soft-deleted; null when never. */
  deletion_time: string | null;
  /** Soft-deleted now: a deletion time in the future is still a live version. */
  deleted: boolean;
  destroyed: boolean;
}

export interface KvMetadata {
  currentVersion: number;
  createdAt: string;
  updatedAt: string;
  /** Newest first. */
  versions: KvVersionInfo[];
  customMetadata: Record<string, string> | null;
  /** The key is marked sensitive (see `markSensitive`). */
  keySensitive: boolean;
}

/** A live version's data. */
export interface KvSecret {
  data: Record<string, unknown>;
  version: number;
  /** When this version was written, by Vault's clock. */
  createdAt: string;
  /**
   * The key is marked sensitive: some version of it was, so every version is (older plain ones included).
   * Undefined when the backend did not say (read as not marked).
   */
  keySensitive?: boolean;
}

/** The custom metadata field (Vault) and tag (Secrets Manager) that marks a key sensitive. */
export const SENSITIVE_MARK = { vault: "vaultops_sensitive", aws: "vaultops:sensitive" } as const;

/** JSON with sorted keys: two data maps are the same write when these strings are equal. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (value && typeof value === "object")
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  return JSON.stringify(value);
}

/** What the configuration service needs of KV v2 (Vault in production; a Map in unit tests). */
export interface KvStore {
  readonly mount: string;
  read(path: string, version?: number): Promise<KvSecret | undefined>;
  metadata(path: string): Promise<KvMetadata | undefined>;
  current(path: string): Promise<KvVersionInfo | undefined>;
  write(path: string, data: Record<string, unknown>, cas: number): Promise<{ version: number; createdAt: string }>;
  list(folder: string): Promise<string[]>;
  listEntries(folder: string): Promise<string[]>;
  deleteLatest(path: string): Promise<void>;
  deleteVersions(path: string, versions: number[]): Promise<void>;
  destroyAll(path: string): Promise<void>;
  /**
   * Marks an existing key sensitive (or, for an admin's explicit choice, no longer), beside its versions,
   * keeping whatever else other clients keep there.
   */
  markSensitive(path: string, sensitive: boolean): Promise<void>;
}

/** Runs several calls as one operation with one deadline (the Vault gateway). */
export interface OperationScope {
  within<T>(fn: () => Promise<T>): Promise<T>;
}
