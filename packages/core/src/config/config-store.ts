import type { TwoTierCache } from "../cache/two-tier-cache";
import type { Logger } from "../logger";
import type { KvSecret, KvStore } from "./kv-store";
import { isCacheable, isSensitive } from "./shape";

/** A version may be cached when its data says it is plain and its key is not marked sensitive. */
export const cacheable = (secret: KvSecret): boolean => isCacheable(secret.data) && secret.keySensitive !== true;

/** Cache keys of Vault paths start `config:`, of Secrets Manager ones `config@aws:` (never the same entry). */
export const CACHE_KEY_PREFIXES = { vault: "config:", aws: "config@aws:" } as const;

/** The backend a cache key belongs to, by its prefix. */
export const backendOfCacheKey = (key: string): "vault" | "aws" =>
  key.startsWith(CACHE_KEY_PREFIXES.aws) ? "aws" : "vault";

/**
 * The one write path of a backend (Vault KV v2, Secrets Manager) for everything that changes a path
 * (configs, rotation, restore, migration, incident rotation): after the backend accepts a change, both cache tiers move forward to its
 * version, the value when it may be cached, a tombstone when it is sensitive or deleted. Before the
 * write the shared entry is removed, so an unreachable DynamoDB fails the request before the
 * backend changes, and nothing stale survives if the advance afterwards fails.
 */
export class ConfigStore {
  readonly keyPrefix: string;

  constructor(private readonly deps: { kv: KvStore; cache: TwoTierCache; logger: Logger; keyPrefix?: string }) {
    this.keyPrefix = deps.keyPrefix ?? CACHE_KEY_PREFIXES.vault;
  }

  /** The cache key of a path (relative to the backend's root). */
  keyOf(path: string): string {
    return `${this.keyPrefix}${path}`;
  }

  /**
   * Writes version `cas + 1`. Sensitive data marks the key sensitive (every version of it, older plain
   * ones included, needs `secrets:read` from then on): before the write when the key exists, so that
   * no moment shows a sensitive version beside an unmarked plain history; `mark` marks it whatever the
   * data (a copy or restore of a key marked elsewhere); `unmark` (an admin's explicit choice) removes
   * the mark after a plain write. `marked`: the caller knows the key is marked already.
   */
  async write(
    path: string,
    data: Record<string, unknown>,
    cas: number,
    mark: { marked?: boolean | undefined; mark?: boolean; unmark?: boolean } = {},
  ): Promise<{ version: number; createdAt: string }> {
    const markNow = (isSensitive(data) || mark.mark === true) && mark.marked !== true;
    await this.deps.cache.drop(this.keyOf(path));
    if (markNow && cas > 0) await this.deps.kv.markSensitive(path, true);
    const written = await this.deps.kv.write(path, data, cas);
    let keySensitive = mark.marked === true || markNow;
    try {
      if (markNow && cas === 0) await this.deps.kv.markSensitive(path, true);
      if (mark.unmark && !isSensitive(data)) {
        await this.deps.kv.markSensitive(path, false);
        keySensitive = false;
      }
    } catch (error) {
      // The version is written; the mark only widens who must hold secrets:read, so log and go on.
      this.deps.logger.error("sensitive mark not changed after a write", { path, error });
    }
    await this.observed(path, { data, ...written, keySensitive });
    return written;
  }

  /** Soft-deletes exactly `version` (a newer one written meanwhile stays live). */
  async deleteVersion(path: string, version: number): Promise<void> {
    await this.deps.cache.drop(this.keyOf(path));
    await this.deps.kv.deleteVersions(path, [version]);
    await this.settle(path, () => this.deps.cache.advance(this.keyOf(path), { version }));
  }

  /** Destroys every version and the metadata; readers refill nothing until the key is written again. */
  async destroy(path: string): Promise<void> {
    await this.deps.cache.drop(this.keyOf(path));
    await this.deps.kv.destroyAll(path);
    await this.settle(path, () => this.deps.cache.purge(this.keyOf(path)));
  }

  /**
   * What a reader learned from the backend outside the cache (a 409's current version, a 404): the cache
   * follows it, so a stale copy that made a client's ETag wrong is not served again.
   */
  async observed(path: string, secret: KvSecret | undefined): Promise<void> {
    const key = this.keyOf(path);
    await this.settle(path, async () => {
      if (!secret) return this.deps.cache.drop(key);
      await this.deps.cache.advance(key, {
        version: secret.version,
        value: cacheable(secret)
          ? JSON.stringify({ data: secret.data, version: secret.version, createdAt: secret.createdAt })
          : undefined,
      });
    });
  }

  /** The change is done in the backend: a cache failure from here on is logged, never the request's error. */
  private async settle(path: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (error) {
      this.deps.logger.error("cache not moved forward after a change; the cache sweep corrects it", { path, error });
    }
  }
}
