import type { TwoTierCache } from "../cache/two-tier-cache";
import type { Logger } from "../logger";
import type { KvSecret, KvStore } from "../vault/kv2";
import { isCacheable } from "./shape";

/** The cache key of a KV v2 path (relative to the mount). */
export const cacheKeyOf = (path: string) => `config:${path}`;

/**
 * The one write path to KV v2 for everything that changes a path (configs, rotation, restore,
 * migration, incident rotation): after Vault accepts a change, both cache tiers move forward to its
 * version, the value when it may be cached, a tombstone when it is sensitive or deleted. Before the
 * write the shared entry is removed, so an unreachable DynamoDB fails the request before Vault
 * changes, and nothing stale survives if the advance afterwards fails.
 */
export class ConfigStore {
  constructor(private readonly deps: { kv: KvStore; cache: TwoTierCache; logger: Logger }) {}

  get kv(): KvStore {
    return this.deps.kv;
  }

  get cache(): TwoTierCache {
    return this.deps.cache;
  }

  async write(
    path: string,
    data: Record<string, unknown>,
    cas: number,
  ): Promise<{ version: number; createdAt: string }> {
    await this.deps.cache.drop(cacheKeyOf(path));
    const written = await this.deps.kv.write(path, data, cas);
    await this.settle(path, () =>
      this.deps.cache.advance(cacheKeyOf(path), {
        version: written.version,
        value: isCacheable(data)
          ? JSON.stringify({ data, version: written.version, createdAt: written.createdAt })
          : undefined,
      }),
    );
    return written;
  }

  /** Soft-deletes exactly `version` (a newer one written meanwhile stays live). */
  async deleteVersion(path: string, version: number): Promise<void> {
    await this.deps.cache.drop(cacheKeyOf(path));
    await this.deps.kv.deleteVersions(path, [version]);
    await this.settle(path, () => this.deps.cache.advance(cacheKeyOf(path), { version }));
  }

  /** Destroys every version and the metadata; readers refill nothing until the key is written again. */
  async destroy(path: string): Promise<void> {
    await this.deps.cache.drop(cacheKeyOf(path));
    await this.deps.kv.destroyAll(path);
    await this.settle(path, () => this.deps.cache.purge(cacheKeyOf(path)));
  }

  /**
   * What a reader learned from Vault outside the cache (a 409's current version, a 404): the cache
   * follows it, so a stale copy that made a client's ETag wrong is not served again.
   */
  async observed(path: string, secret: KvSecret | undefined): Promise<void> {
    const key = cacheKeyOf(path);
    await this.settle(path, async () => {
      if (!secret) return this.deps.cache.drop(key);
      await this.deps.cache.advance(key, {
        version: secret.version,
        value: isCacheable(secret.data)
          ? JSON.stringify({ data: secret.data, version: secret.version, createdAt: secret.createdAt })
          : undefined,
      });
    });
  }

  /** The change is done in Vault: a cache failure from here on is logged, never the request's error. */
  private async settle(path: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (error) {
      this.deps.logger.error("cache not moved forward after a change; the cache sweep corrects it", { path, error });
    }
  }
}
