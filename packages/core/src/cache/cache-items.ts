/** How a shared-tier entry is laid out in the state table (DynamoCacheStore, store.ts): its partition and item. */
import { createHash } from "node:crypto";
import { CACHE_SHARDS } from "../aws/capacity";
import { keys } from "../aws/key-space";
import { epochSeconds, type Item } from "../aws/state-table";
import { type CacheEntry, precedence } from "./cache-entry";

/** Entries spread over partitions by key hash, so that no partition is hot and stats and sweeps are Queries. */
export const cachePartition = (key: string, shards = CACHE_SHARDS): string =>
  keys.cacheShard(createHash("sha256").update(key).digest().readUInt16BE(0) % shards);

export function toItem(entry: CacheEntry, pk: string): Item {
  return {
    pk,
    sk: entry.key,
    value: entry.value,
    version: entry.version,
    storedAt: entry.storedAt,
    expiresAtMs: entry.expiresAtMs,
    expiresAt: epochSeconds(entry.expiresAtMs),
    generation: entry.generation,
    tombstone: entry.tombstone,
    purged: entry.purged,
    precedence: precedence(entry),
  };
}

export function toEntry(item: Record<string, unknown>): CacheEntry {
  return {
    key: String(item.sk),
    value: String(item.value ?? ""),
    version: Number(item.version),
    storedAt: Number(item.storedAt),
    expiresAtMs: Number(item.expiresAtMs),
    generation: Number(item.generation ?? 0),
    tombstone: item.tombstone === true,
    purged: item.purged === true,
  };
}
