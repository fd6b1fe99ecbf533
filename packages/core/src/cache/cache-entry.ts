/**
 * What a cache entry is and the order in which entries replace one another: the rules both tiers
 * follow (the shared tier as DynamoDB conditions, store.ts; the memory tier in process, memory-tier.ts).
 */

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

/** What a writer or reader stores for a key; the rest of the entry is `newEntry`'s. */
export type EntryContent = Pick<CacheEntry, "value" | "version" | "tombstone">;

/** A new entry stored `at.now`, live in the shared tier for `at.ttlMs`, of clear generation `at.generation`. */
export function newEntry(
  key: string,
  e: EntryContent,
  at: { now: number; ttlMs: number; generation: number },
): CacheEntry {
  return {
    key,
    value: e.value,
    version: e.version,
    storedAt: at.now,
    expiresAtMs: at.now + at.ttlMs,
    generation: at.generation,
    tombstone: e.tombstone,
    purged: false,
  };
}

/** Who writes an entry, which decides what it may replace (see `put`). */
export type CacheWrite = "refill" | "advance";

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

/** The same ordering as the shared tier's conditions (`replaceCondition`), in memory. */
export function mayReplace(current: CacheEntry | undefined, next: CacheEntry, write: CacheWrite, now: number): boolean {
  if (!current || current.expiresAtMs <= now) return true;
  if (write === "advance" && current.purged) return true;
  return precedence(current) <= replaceableUpTo(next, write);
}
