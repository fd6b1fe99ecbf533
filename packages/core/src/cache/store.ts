import { createHash } from "node:crypto";
import { BatchWriteCommand, DeleteCommand, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { epochSeconds, queryPartition, type StateTable } from "../aws/state-table";

/** One shared (L2) cache entry. Only non-sensitive values ever get here. */
export interface CacheEntry {
  key: string;
  value: string;
  version: number;
  storedAt: number;
  expiresAtMs: number;
  generation: number;
}

const CACHE_SHARDS = 8;
const GENERATION_KEY = { pk: "cache", sk: "generation" } as const;
const SWEEP_KEY = { pk: "cache", sk: "sweep" } as const;

/** Entries spread over a few partitions so that stats and sweeps are Queries, not table Scans. */
export const cachePartition = (key: string): string =>
  `cache#${createHash("sha256").update(key).digest().readUInt8(0) % CACHE_SHARDS}`;

export interface SweepRecord {
  at: number;
  removed: number;
  remaining: number;
}

export class DynamoCacheStore {
  constructor(private readonly table: StateTable) {}

  async get(key: string): Promise<CacheEntry | undefined> {
    const out = await this.table.run("cache get", (c, TableName) =>
      c.send(new GetCommand({ TableName, Key: { pk: cachePartition(key), sk: key } })),
    );
    return out.Item ? toEntry(out.Item) : undefined;
  }

  /**
   * Writes unless the stored entry is newer (a higher version of the same generation, still live):
   * entries only move forward, so a slow reader cannot put back a value a writer has replaced.
   */
  async putIfNewer(entry: CacheEntry, now: number): Promise<boolean> {
    return this.table.putIf(
      "cache put",
      {
        pk: cachePartition(entry.key),
        sk: entry.key,
        value: entry.value,
        version: entry.version,
        storedAt: entry.storedAt,
        expiresAtMs: entry.expiresAtMs,
        expiresAt: epochSeconds(entry.expiresAtMs),
        generation: entry.generation,
      },
      "attribute_not_exists(pk) OR version <= :v OR expiresAtMs <= :now OR generation <> :g",
      { ":v": entry.version, ":now": now, ":g": entry.generation },
    );
  }

  async delete(key: string): Promise<void> {
    await this.table.run("cache delete", (c, TableName) =>
      c.send(new DeleteCommand({ TableName, Key: { pk: cachePartition(key), sk: key } })),
    );
  }

  async generation(): Promise<number> {
    const out = await this.table.run("cache generation", (c, TableName) =>
      c.send(new GetCommand({ TableName, Key: GENERATION_KEY, ConsistentRead: true })),
    );
    return Number(out.Item?.generation ?? 0);
  }

  async bumpGeneration(): Promise<number> {
    const out = await this.table.run("cache generation bump", (c, TableName) =>
      c.send(
        new UpdateCommand({
          TableName,
          Key: GENERATION_KEY,
          UpdateExpression: "ADD generation :one",
          ExpressionAttributeValues: { ":one": 1 },
          ReturnValues: "UPDATED_NEW",
        }),
      ),
    );
    return Number(out.Attributes?.generation ?? 0);
  }

  /** Every entry, shard by shard (small: the cache holds config values, not bulk data). */
  async all(): Promise<CacheEntry[]> {
    const shards = await Promise.all(
      Array.from({ length: CACHE_SHARDS }, (_, shard) => queryPartition(this.table, "cache query", `cache#${shard}`)),
    );
    return shards.flat().map(toEntry);
  }

  async deleteMany(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 25) {
      let requests: Record<string, unknown>[] = keys
        .slice(i, i + 25)
        .map((key) => ({ DeleteRequest: { Key: { pk: cachePartition(key), sk: key } } }));
      for (let attempt = 0; requests.length > 0 && attempt < 5; attempt++) {
        const out = await this.table.run("cache delete batch", (c, TableName) =>
          c.send(new BatchWriteCommand({ RequestItems: { [TableName]: requests } })),
        );
        requests = (out.UnprocessedItems?.[this.table.tableName] ?? []) as Record<string, unknown>[];
      }
    }
  }

  async recordSweep(record: SweepRecord): Promise<void> {
    await this.table.run("cache sweep record", (c, TableName) =>
      c.send(new PutCommand({ TableName, Item: { ...SWEEP_KEY, ...record } })),
    );
  }

  async lastSweep(): Promise<SweepRecord | undefined> {
    const out = await this.table.run("cache sweep read", (c, TableName) =>
      c.send(new GetCommand({ TableName, Key: SWEEP_KEY })),
    );
    if (!out.Item) return undefined;
    return { at: Number(out.Item.at), removed: Number(out.Item.removed), remaining: Number(out.Item.remaining) };
  }
}

function toEntry(item: Record<string, unknown>): CacheEntry {
  return {
    key: String(item.sk),
    value: String(item.value),
    version: Number(item.version),
    storedAt: Number(item.storedAt),
    expiresAtMs: Number(item.expiresAtMs),
    generation: Number(item.generation ?? 0),
  };
}
