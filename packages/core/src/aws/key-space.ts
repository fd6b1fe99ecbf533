/**
 * The key space of the one state table (pk/sk strings, TTL attribute `expiresAt` in epoch seconds),
 * listed once: every item vaultops writes, what it holds, and how long it lives. Stores build their
 * keys here and nowhere else.
 *
 * | pk                              | sk                        | holds                                                  | lives                        |
 * | ------------------------------- | ------------------------- | ------------------------------------------------------ | ---------------------------- |
 * | `cache#<0-63>`                  | `config:<env>/<svc>/<key>` | a non-sensitive value or a tombstone, with its version | `CACHE_TTL_SECONDS` (15 min) |
 * | `cache#<0-63>`                  | `config@aws:<env>/<svc>/<key>` | the same, for a configuration in Secrets Manager  | `CACHE_TTL_SECONDS` (15 min) |
 * | `sync#<replica>`                | `cache`                   | the clear generation and recent changes (one replica per container) | always          |
 * | `cache`                         | `sweep`                   | the last cache sweep's figures                         | overwritten                  |
 * | `counters#<shard>`              | `total`                   | operation, cache and security counters (ADD)           | always                       |
 * | `layout`                        | `shards`                  | the most audit and counter shards any plan has written | raised, never lowered        |
 * | `health`                        | `state`                   | the last observed Vault health, token TTL              | overwritten                  |
 * | `health`                        | `telemetry`               | Vault's own figures (sys/metrics), or why not          | overwritten                  |
 * | `job#<name>`                    | `last`                    | a scheduled job's last run: when, ok, summary          | overwritten                  |
 * | `audit#<yyyy-mm-dd>#<shard>`    | `<iso time>#<random>`     | one audit record                                       | `AUDIT_RETENTION_DAYS`       |
 * | `rotation#policies`             | `<env>/<svc>/<key>`       | a rotation policy with its state and claim             | until deleted                |
 * | `rotation#history#<path>`       | `<iso time>#<random>`     | one rotation outcome                                   | 365 days                     |
 * | `snapshots`                     | `<snapshot id>`           | a snapshot's manifest                                  | until the snapshot is deleted |
 * | `restore-plans`                 | `<plan id>`               | a restore plan (gzipped): versions it was shown against | 1 hour                       |
 * | `incidents`                     | `<iso time>#<id>`         | an incident raised by an alarm                         | always                       |
 * | `claims`                        | `<cache key>#<version>`   | a delete in progress: one winner among concurrent ones | 1 minute                     |
 *
 * Readers check `expiresAt`/`expiresAtMs` themselves: TTL deletion is lazy (and absent in dynalite).
 * How many shards and replicas the families have comes from the load a stage is sized for (capacity.ts).
 */
export const keys = {
  cacheShard: (shard: number) => `cache#${shard}`,
  cacheSync: (replica: number) => ({ pk: `sync#${replica}`, sk: "cache" }),
  cacheSweep: { pk: "cache", sk: "sweep" },
  counters: (shard: number) => ({ pk: `counters#${shard}`, sk: "total" }),
  shardLayout: { pk: "layout", sk: "shards" },
  health: { pk: "health", sk: "state" },
  telemetry: { pk: "health", sk: "telemetry" },
  jobRun: (job: string) => ({ pk: `job#${job}`, sk: "last" }),
  auditPartition: (day: string, shard: number) => `audit#${day}#${shard}`,
  rotationPolicies: "rotation#policies",
  rotationHistory: (path: string) => `rotation#history#${path}`,
  snapshots: "snapshots",
  restorePlans: "restore-plans",
  incidents: "incidents",
  claims: "claims",
} as const;

/**
 * The partition keys above as IAM `dynamodb:LeadingKeys` patterns (`*` as StringLike matches it), one
 * per kind of item: infra grants each function the classes it touches, and the call recorder names
 * the class of every partition key a call touches.
 */
export const leadingKeyClasses = [
  "cache#*",
  "cache",
  "sync#*",
  "counters#*",
  "layout",
  "health",
  "job#*",
  "audit#*",
  "rotation#policies",
  "rotation#history#*",
  "snapshots",
  "restore-plans",
  "incidents",
  "claims",
] as const;

export type LeadingKeyClass = (typeof leadingKeyClasses)[number];

const classPatterns = leadingKeyClasses.map(
  (pattern) =>
    [pattern, new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`)] as const,
);

/** The class of a partition key; a key outside the key space is its own class (and granted nothing). */
export function leadingKeyClass(pk: string): string {
  return classPatterns.find(([, re]) => re.test(pk))?.[0] ?? `unlisted:${pk}`;
}
