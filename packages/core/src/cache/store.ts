import { createHash } from "node:crypto";
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { CACHE_SHARDS, keys } from "../aws/key-space";
import { epochSeconds, type Item, queryPartition, type StateTable } from "../aws/state-table";

/**
 * One shared (L2) cache entry: a non-sensitive value at a KV v2 version, or a tombstone that says
 * "this version (or anything older) is not to be served from cache": left by a write that made the
 * key sensitive or deleted it, by a reader that found sensitive data, or by a purge.
 */
export interface CacheEntry {
  key: string;
  /** "" for a tombstone. */
  value: string;
  version: number;
  storedAt: number;
  expiresAtMs: number;
  generation: number;
  tombstone: boolean;
  /** Every version was destroyed: no reader may refill until a writer writes the key again. */
  purged: boolean;
}

/** Who writes an entry, which decides what it may replace (see `put`). */
export type CacheWrite = "refill" | "advance";

const GENERATION_KEY = keys.cacheGeneration;
const SWEEP_KEY = keys.cacheSweep;

/** Entries spread over a few partitions so that stats and sweeps are Queries, not table Scans. */
export const cachePartition = (key: string): string =>
  keys.cacheShard(createHash("sha256").update(key).digest().readUInt8(0) % CACHE_SHARDS);

export interface SweepRecord {
  at: number;
  removed: number;
  remaining: number;
  /** Entries dropped because Vault holds another version now (written by another client). */
  revalidated?: { checked: number; stale: number; unknown: number };
}

const NOT_TOMBSTONE = "(attribute_not_exists(tombstone) OR tombstone = :f)";
const NOT_PURGED = "(attribute_not_exists(purged) OR purged = :f)";

/**
 * What an entry may replace. Versions only move forward, whoever writes:
 * - a refill (a reader storing what it just read from Vault) never replaces a newer version, a
 *   tombstone of the same version, or a purge: so a slow reader cannot put back a value that a
 *   writer replaced, deleted or made sensitive;
 * - an advance (a writer, after Vault accepted its write) replaces older versions and a purge; a
 *   tombstone also replaces a value of the same version (a delete keeps the version number).
 * Expired entries may be replaced by anything.
 */
export function replaceCondition(write: CacheWrite, tombstone: boolean): string {
  const expired = "attribute_not_exists(pk) OR expiresAtMs <= :now";
  if (write === "refill")
    return `${expired} OR (${NOT_PURGED} AND (version < :v OR (version = :v AND ${NOT_TOMBSTONE})))`;
  const sameVersion = tombstone ? "version = :v" : `(version = :v AND ${NOT_TOMBSTONE})`;
  return `${expired} OR purged = :t OR version < :v OR ${sameVersion}`;
}

/**
 * The outcome of a conditional write: refused (a newer or blocking entry is there), stored, or stored
 * over a value of an older or the same version (that other containers may hold in memory).
 */
export type PutOutcome = "refused" | "stored" | "superseded";

/**
 * What every container checks every CACHE_GENERATION_CHECK_MS: the clear generation, and the recent
 * changes (`changes` holds the newest; the last one's number is `seq`, each earlier one one less).
 */
export interface CacheSync {
  generation: number;
  seq: number;
  changes: Array<{ key: string; version: number }>;
}

/** Recent changes the shared sync item keeps; a container further behind drops its whole memory tier. */
export const CHANGES_KEPT = 32;

/** What the two-tier cache needs of its shared tier (DynamoDB in AWS; a Map in unit tests). */
export interface CacheStore {
  get(key: string): Promise<CacheEntry | undefined>;
  /** Writes the entry if `replaceCondition` allows it. */
  put(entry: CacheEntry, write: CacheWrite, now: number): Promise<PutOutcome>;
  /** Writes unconditionally (a purge). */
  overwrite(entry: CacheEntry): Promise<void>;
  /** Deletes the entry; true when it held a value (not a tombstone). */
  delete(key: string): Promise<boolean>;
  /** Deletes `key` unless it has moved past `version`. */
  deleteIfVersion(key: string, version: number): Promise<boolean>;
  deleteMany(keys: string[]): Promise<void>;
  /** Every entry, expired ones included. */
  all(): Promise<CacheEntry[]>;
  /** The generation and the recent changes, read by every container every CACHE_GENERATION_CHECK_MS. */
  sync(): Promise<CacheSync>;
  bumpGeneration(): Promise<number>;
  /** Tells every container that these keys changed (they drop their in-process copies). */
  announce(changes: Array<{ key: string; version: number }>): Promise<void>;
  recordSweep(record: SweepRecord): Promise<void>;
  lastSweep(): Promise<SweepRecord | undefined>;
}

export class DynamoCacheStore implements CacheStore {
  constructor(private readonly table: StateTable) {}

  async get(key: string): Promise<CacheEntry | undefined> {
    const out = await this.table.run("cache get", (c, TableName) =>
      c.send(new GetCommand({ TableName, Key: { pk: cachePartition(key), sk: key } })),
    );
    return out.Item ? toEntry(out.Item) : undefined;
  }

  /** Writes the entry if `replaceCondition` allows it; says whether it replaced a live value. */
  async put(entry: CacheEntry, write: CacheWrite, now: number): Promise<PutOutcome> {
    const condition = replaceCondition(write, entry.tombstone);
    try {
      const out = await this.table.run(write === "refill" ? "cache refill" : "cache advance", (c, TableName) =>
        c.send(
          new PutCommand({
            TableName,
            Item: toItem(entry),
            ConditionExpression: condition,
            // DynamoDB refuses values the expression does not use.
            ExpressionAttributeValues: {
              ":v": entry.version,
              ":now": now,
              ...(condition.includes(":f") ? { ":f": false } : {}),
              ...(condition.includes(":t") ? { ":t": true } : {}),
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
    await this.table.run("cache purge", (c, TableName) => c.send(new PutCommand({ TableName, Item: toItem(entry) })));
  }

  async delete(key: string): Promise<boolean> {
    const out = await this.table.run("cache delete", (c, TableName) =>
      c.send(new DeleteCommand({ TableName, Key: { pk: cachePartition(key), sk: key }, ReturnValues: "ALL_OLD" })),
    );
    return out.Attributes !== undefined && out.Attributes.tombstone !== true;
  }

  async sync(): Promise<CacheSync> {
    const out = await this.table.run("cache sync", (c, TableName) =>
      c.send(new GetCommand({ TableName, Key: GENERATION_KEY, ConsistentRead: true })),
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

  /**
   * Appends to the recent changes and counts them, in one atomic update; when the list has grown to
   * twice what is kept, the oldest are removed (only if no other change came in between).
   */
  async announce(changes: Array<{ key: string; version: number }>): Promise<void> {
    if (changes.length === 0) return;
    const out = await this.table.run("cache announce", (c, TableName) =>
      c.send(
        new UpdateCommand({
          TableName,
          Key: GENERATION_KEY,
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
    if (length < 2 * CHANGES_KEPT) return;
    const drop = length - CHANGES_KEPT;
    try {
      await this.table.run("cache announce trim", (c, TableName) =>
        c.send(
          new UpdateCommand({
            TableName,
            Key: GENERATION_KEY,
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
      Array.from({ length: CACHE_SHARDS }, (_, shard) =>
        queryPartition(this.table, "cache query", keys.cacheShard(shard)),
      ),
    );
    return shards.flat().map(toEntry);
  }

  async deleteMany(keys: string[]): Promise<void> {
    await this.table.batchWrite(
      "cache delete batch",
      keys.map((key) => ({ DeleteRequest: { Key: { pk: cachePartition(key), sk: key } } })),
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
            Key: { pk: cachePartition(key), sk: key },
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
    return record;
  }
}

function toItem(entry: CacheEntry): Item {
  return {
    pk: cachePartition(entry.key),
    sk: entry.key,
    value: entry.value,
    version: entry.version,
    storedAt: entry.storedAt,
    expiresAtMs: entry.expiresAtMs,
    expiresAt: epochSeconds(entry.expiresAtMs),
    generation: entry.generation,
    tombstone: entry.tombstone,
    purged: entry.purged,
  };
}

function toEntry(item: Record<string, unknown>): CacheEntry {
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
