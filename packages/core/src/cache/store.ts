import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { CACHE_SHARDS } from "../aws/capacity";
import { keys } from "../aws/key-space";
import { queryPartition, type StateTable } from "../aws/state-table";
import { type CacheEntry, type CacheWrite, type PutOutcome, replaceableUpTo, replaceCondition } from "./cache-entry";
import { cachePartition, toEntry, toItem } from "./cache-items";
import { type CacheStore, type CacheSync, CHANGES_KEPT, type SweepRecord } from "./shared-tier";

// The entry rules, their item layout and the shared-tier port live in their own files; exported from here as before.
export * from "./cache-entry";
export { cachePartition } from "./cache-items";
export * from "./shared-tier";

const SWEEP_KEY = keys.cacheSweep;

/** The list is trimmed back to CHANGES_KEPT once it holds this many more: the item stays under 4 KB. */
const CHANGES_SLACK = 8;

/**
 * The shared tier in the state table. The sync item is replicated (`sync#<r>`, `replicas` of them):
 * this container reads replica `replica` (one per container, so no replica takes every container's
 * checks); announcements and clears write every replica.
 */
export class DynamoCacheStore implements CacheStore {
  private readonly replica: number;
  private readonly replicas: number;
  private readonly shards: number;

  constructor(
    private readonly table: StateTable,
    layout: { syncReplicas?: number; cacheShards?: number; replica?: number } = {},
  ) {
    this.replicas = layout.syncReplicas ?? 1;
    this.shards = layout.cacheShards ?? CACHE_SHARDS;
    this.replica = (layout.replica ?? Math.floor(Math.random() * this.replicas)) % this.replicas;
  }

  private partition(key: string): string {
    return cachePartition(key, this.shards);
  }

  private syncKeys(): Array<{ pk: string; sk: string }> {
    return Array.from({ length: this.replicas }, (_, r) => keys.cacheSync(r));
  }

  async get(key: string): Promise<CacheEntry | undefined> {
    const out = await this.table.run("cache get", (c, TableName) =>
      c.send(new GetCommand({ TableName, Key: { pk: this.partition(key), sk: key } })),
    );
    return out.Item ? toEntry(out.Item) : undefined;
  }

  async getMany(keys: string[]): Promise<Map<string, CacheEntry>> {
    const items = await this.table.batchGet(
      "cache get batch",
      keys.map((key) => ({ pk: this.partition(key), sk: key })),
    );
    return new Map(items.map((item) => [String(item.sk), toEntry(item)]));
  }

  /** Writes the entry if `replaceCondition` allows it; says whether it replaced a live value. */
  async put(entry: CacheEntry, write: CacheWrite, now: number): Promise<PutOutcome> {
    try {
      const out = await this.table.run(write === "refill" ? "cache refill" : "cache advance", (c, TableName) =>
        c.send(
          new PutCommand({
            TableName,
            Item: toItem(entry, this.partition(entry.key)),
            ConditionExpression: replaceCondition(write),
            ExpressionAttributeValues: {
              ":now": now,
              ":r": replaceableUpTo(entry, write),
              // DynamoDB refuses values the expression does not use.
              ...(write === "advance" ? { ":t": true } : {}),
            },
            // The item replaced (free: returned only when the write succeeds).
            ReturnValues: "ALL_OLD",
          }),
        ),
      );
      const old = out.Attributes ? toEntry(out.Attributes) : undefined;
      return old && !old.tombstone && old.expiresAtMs > now ? "superseded" : "stored";
    } catch (error) {
      if ((error as { name?: string }).name === "ConditionalCheckFailedException") return "refused";
      throw error;
    }
  }

  /** Writes unconditionally (a purge: every version is gone, whatever was cached). */
  async overwrite(entry: CacheEntry): Promise<void> {
    await this.table.run("cache purge", (c, TableName) =>
      c.send(new PutCommand({ TableName, Item: toItem(entry, this.partition(entry.key)) })),
    );
  }

  async delete(key: string): Promise<boolean> {
    const out = await this.table.run("cache delete", (c, TableName) =>
      c.send(new DeleteCommand({ TableName, Key: { pk: this.partition(key), sk: key }, ReturnValues: "ALL_OLD" })),
    );
    return out.Attributes !== undefined && out.Attributes.tombstone !== true;
  }

  async sync(): Promise<CacheSync> {
    const out = await this.table.run("cache sync", (c, TableName) =>
      c.send(new GetCommand({ TableName, Key: keys.cacheSync(this.replica), ConsistentRead: true })),
    );
    return {
      generation: Number(out.Item?.generation ?? 0),
      seq: Number(out.Item?.seq ?? 0),
      changes: ((out.Item?.changes ?? []) as Array<{ k: string; v: number }>).map((c) => ({
        key: String(c.k),
        version: Number(c.v),
      })),
    };
  }

  /** Announces to every replica (each keeps its own sequence: a container reads only its own). */
  async announce(changes: Array<{ key: string; version: number }>): Promise<void> {
    if (changes.length === 0) return;
    await Promise.all(this.syncKeys().map((key) => this.announceTo(key, changes)));
  }

  /**
   * Appends to one replica's recent changes and counts them, in one atomic update; once the list has
   * grown CHANGES_SLACK past what is kept, the oldest are removed (only if no change came in between).
   */
  private async announceTo(
    key: { pk: string; sk: string },
    changes: Array<{ key: string; version: number }>,
  ): Promise<void> {
    const out = await this.table.run("cache announce", (c, TableName) =>
      c.send(
        new UpdateCommand({
          TableName,
          Key: key,
          UpdateExpression:
            "SET changes = list_append(if_not_exists(changes, :empty), :new), seq = if_not_exists(seq, :zero) + :n",
          ExpressionAttributeValues: {
            ":empty": [],
            ":new": changes.map((c) => ({ k: c.key, v: c.version })),
            ":zero": 0,
            ":n": changes.length,
          },
          ReturnValues: "UPDATED_NEW",
        }),
      ),
    );
    const length = ((out.Attributes?.changes ?? []) as unknown[]).length;
    if (length < CHANGES_KEPT + CHANGES_SLACK) return;
    const drop = length - CHANGES_KEPT;
    try {
      await this.table.run("cache announce trim", (c, TableName) =>
        c.send(
          new UpdateCommand({
            TableName,
            Key: key,
            UpdateExpression: `REMOVE ${Array.from({ length: drop }, (_, i) => `changes[${i}]`).join(", ")}`,
            ConditionExpression: "seq = :seq",
            ExpressionAttributeValues: { ":seq": Number(out.Attributes?.seq ?? 0) },
          }),
        ),
      );
    } catch (error) {
      // Another change came in meanwhile: its writer trims.
      if ((error as { name?: string }).name !== "ConditionalCheckFailedException") throw error;
    }
  }

  /**
   * Moves every replica to one generation above the highest any holds (raising only): replicas that
   * drifted apart (a clear that failed half-way) meet again, and two concurrent clears make one.
   */
  async bumpGeneration(): Promise<number> {
    const items = await this.table.batchGet("cache generation read", this.syncKeys(), { consistent: true });
    const generation = Math.max(0, ...items.map((item) => Number(item.generation ?? 0))) + 1;
    await Promise.all(
      this.syncKeys().map(async (key) => {
        try {
          await this.table.run("cache generation bump", (c, TableName) =>
            c.send(
              new UpdateCommand({
                TableName,
                Key: key,
                UpdateExpression: "SET generation = :g",
                ConditionExpression: "attribute_not_exists(generation) OR generation < :g",
                ExpressionAttributeValues: { ":g": generation },
              }),
            ),
          );
        } catch (error) {
          // A concurrent clear got there first with this generation or a later one.
          if ((error as { name?: string }).name !== "ConditionalCheckFailedException") throw error;
        }
      }),
    );
    return generation;
  }

  /** Every entry, shard by shard (small: the cache holds config values, not bulk data). */
  async all(): Promise<CacheEntry[]> {
    const shards = await Promise.all(
      Array.from({ length: this.shards }, (_, shard) =>
        queryPartition(this.table, "cache query", keys.cacheShard(shard)),
      ),
    );
    return shards.flat().map(toEntry);
  }

  async deleteMany(keys: string[]): Promise<void> {
    await this.table.batchWrite(
      "cache delete batch",
      keys.map((key) => ({ DeleteRequest: { Key: { pk: this.partition(key), sk: key } } })),
    );
  }

  async recordSweep(record: SweepRecord): Promise<void> {
    await this.table.run("cache sweep record", (c, TableName) =>
      c.send(new PutCommand({ TableName, Item: { ...SWEEP_KEY, ...record } })),
    );
  }

  /** Deletes `key` unless it has moved past `version` since it was read (a conditional delete). */
  async deleteIfVersion(key: string, version: number): Promise<boolean> {
    try {
      await this.table.run("cache delete stale", (c, TableName) =>
        c.send(
          new DeleteCommand({
            TableName,
            Key: { pk: this.partition(key), sk: key },
            ConditionExpression: "version = :v",
            ExpressionAttributeValues: { ":v": version },
          }),
        ),
      );
      return true;
    } catch (error) {
      if ((error as { name?: string }).name === "ConditionalCheckFailedException") return false;
      throw error;
    }
  }

  async lastSweep(): Promise<SweepRecord | undefined> {
    const out = await this.table.run("cache sweep read", (c, TableName) =>
      c.send(new GetCommand({ TableName, Key: SWEEP_KEY })),
    );
    if (!out.Item) return undefined;
    const record: SweepRecord = {
      at: Number(out.Item.at),
      removed: Number(out.Item.removed),
      remaining: Number(out.Item.remaining),
    };
    if (out.Item.revalidated) record.revalidated = out.Item.revalidated as SweepRecord["revalidated"];
    if (out.Item.values) record.values = out.Item.values as Record<string, number>;
    if (out.Item.oldestStoredAt !== undefined) record.oldestStoredAt = Number(out.Item.oldestStoredAt);
    return record;
  }
}
