import { createHash } from "node:crypto";
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { CACHE_SHARDS } from "../aws/capacity";
import { keys } from "../aws/key-space";
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

const SWEEP_KEY = keys.cacheSweep;

/** Entries spread over partitions by key hash, so that no partition is hot and stats and sweeps are Queries. */
export const cachePartition = (key: string, shards = CACHE_SHARDS): string =>
  keys.cacheShard(createHash("sha256").update(key).digest().readUInt16BE(0) % shards);

export interface SweepRecord {
  at: number;
  removed: number;
  remaining: number;
  /** Entries dropped because Vault holds another version now (written by another client). */
  revalidated?: { checked: number; stale: number; unknown: number };
  /**
   * The values left, by backend, and when the oldest was stored: what the status and metrics routes
   * report as the shared tier's size (reading every entry on each scrape would cost the whole tier).
   */
  values?: Record<string, number>;
  oldestStoredAt?: number;
}

/**
 * An entry's place in the order of what may replace what, one number so that a condition is one
 * comparison: version 2v for a value, 2v + 1 for a tombstone of the same version (it outranks the
 * value), and a purge marker above every version.
 */
export function precedence(entry: Pick<CacheEntry, "version" | "tombstone" | "purged">): number {
  return entry.purged ? Number.MAX_SAFE_INTEGER : entry.version * 2 + (entry.tombstone ? 1 : 0);
}

/**
 * The highest precedence an entry may have for `entry` to replace it. Versions only move forward,
 * whoever writes:
 * - a refill (a reader storing what it just read from Vault) replaces only older versions and a value
 *   of the same version: never a newer version, a tombstone of the same version, or a purge; so a slow
 *   reader cannot put back a value that a writer replaced, deleted or made sensitive;
 * - an advance (a writer, after Vault accepted its write) also replaces a purge, and its tombstone
 *   replaces a value of the same version (a delete keeps the version number).
 * Expired entries may be replaced by anything.
 */
export function replaceableUpTo(entry: Pick<CacheEntry, "version" | "tombstone">, write: CacheWrite): number {
  return entry.version * 2 + (write === "advance" && entry.tombstone ? 1 : 0);
}

/**
 * `replaceableUpTo` as a DynamoDB condition: flat, one comparison (`:r`) besides the expiry (`:now`).
 * An entry written before `precedence` existed is replaced by a writer, never by a reader.
 */
export function replaceCondition(write: CacheWrite): string {
  const base = "attribute_not_exists(pk) OR expiresAtMs <= :now OR precedence <= :r";
  return write === "refill" ? base : `${base} OR purged = :t OR attribute_not_exists(precedence)`;
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
/** The list is trimmed back to CHANGES_KEPT once it holds this many more: the item stays under 4 KB. */
const CHANGES_SLACK = 8;

/** What the two-tier cache needs of its shared tier (DynamoDB in AWS; a Map in unit tests). */
export interface CacheStore {
  get(key: string): Promise<CacheEntry | undefined>;
  /** The entries of these keys that exist (a list page's lookups in one call per 100 keys). */
  getMany(keys: string[]): Promise<Map<string, CacheEntry>>;
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

function toItem(entry: CacheEntry, pk: string): Item {
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
