import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { currentFunction, onBehalfOf } from "../aws/call-recorder";
import { keys } from "../aws/key-space";
import type { ShardLayout } from "../aws/shard-layout";
import type { StateTable } from "../aws/state-table";
import type { CacheAccessRecorder, CacheTier } from "../cache/two-tier-cache";
import { type Clock, systemClock } from "../clock";
import type { FailureKind, OperationRecorder } from "../vault/gateway";

/** Upper bounds (seconds) of the operation duration histogram. */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

/** Counter names: `n|op|ok`, `n|op|fail`, `ms|op`, `b|op|i`, `cache|hit`, `cache|miss`, `cache|hit_memory` ... */
export type CounterValues = Map<string, number>;

export interface CounterTotals {
  values: CounterValues;
  lastError?: { message: string; at: number };
  lastCacheAccessAt?: number;
}

/** The shared counters: deltas added atomically, totals read across the shards. */
export interface CounterStore {
  add(delta: CounterTotals): Promise<void>;
  totals(): Promise<CounterTotals>;
}

/**
 * Shared counters in DynamoDB, spread over the plan's items (one partition key each) so no item is
 * hot; totals read every item any plan has written, in one BatchGetItem.
 */
export class DynamoCounterStore implements CounterStore {
  constructor(
    private readonly table: StateTable,
    private readonly layout: Pick<ShardLayout, "plan" | "readable">,
    private readonly random: () => number = Math.random,
  ) {}

  async add(delta: CounterTotals): Promise<void> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const adds: string[] = [];
    const sets: string[] = [];
    let i = 0;
    for (const [name, value] of delta.values) {
      if (value === 0) continue;
      names[`#c${i}`] = name;
      values[`:c${i}`] = value;
      adds.push(`#c${i} :c${i}`);
      i++;
    }
    if (delta.lastError) {
      sets.push("lastError = :le", "lastErrorAt = :lea");
      values[":le"] = delta.lastError.message.slice(0, 500);
      values[":lea"] = delta.lastError.at;
    }
    if (delta.lastCacheAccessAt !== undefined) {
      sets.push("lastCacheAccessAt = :lca");
      values[":lca"] = delta.lastCacheAccessAt;
    }
    if (adds.length === 0 && sets.length === 0) return;
    const shard = Math.floor(this.random() * this.layout.plan.counterShards);
    const expression = [adds.length ? `ADD ${adds.join(", ")}` : "", sets.length ? `SET ${sets.join(", ")}` : ""]
      .filter(Boolean)
      .join(" ");
    await this.table.run("counters add", (c, TableName) =>
      c.send(
        new UpdateCommand({
          TableName,
          Key: keys.counters(shard),
          UpdateExpression: expression,
          ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
          ExpressionAttributeValues: values,
        }),
      ),
    );
  }

  async totals(): Promise<CounterTotals> {
    const { counterShards } = await this.layout.readable();
    const shardKeys = Array.from({ length: counterShards }, (_, shard) => keys.counters(shard));
    const totals: CounterTotals = { values: new Map() };
    for (const item of await this.table.batchGet("counters read", shardKeys)) mergeItem(totals, item);
    return totals;
  }
}

function mergeItem(totals: CounterTotals, item: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(item)) {
    if (typeof value === "number" && name.includes("|")) {
      totals.values.set(name, (totals.values.get(name) ?? 0) + value);
    }
  }
  const at = Number(item.lastErrorAt ?? 0);
  if (typeof item.lastError === "string" && at > (totals.lastError?.at ?? 0)) {
    totals.lastError = { message: item.lastError, at };
  }
  const access = Number(item.lastCacheAccessAt ?? 0);
  if (access > (totals.lastCacheAccessAt ?? 0)) totals.lastCacheAccessAt = access;
}

export function mergeTotals(a: CounterTotals, b: CounterTotals): CounterTotals {
  const values = new Map(a.values);
  for (const [k, v] of b.values) values.set(k, (values.get(k) ?? 0) + v);
  const out: CounterTotals = { values };
  const lastError = [a.lastError, b.lastError].filter((e) => e !== undefined).sort((x, y) => y.at - x.at)[0];
  if (lastError) out.lastError = lastError;
  const access = Math.max(a.lastCacheAccessAt ?? 0, b.lastCacheAccessAt ?? 0);
  if (access > 0) out.lastCacheAccessAt = access;
  return out;
}

/**
 * This container's share of the counters: aggregated in memory and flushed as one UpdateItem, at
 * most every `flushIntervalMs`, so that no request kind writes a counter item per request (a
 * sensitive read goes to Vault every time: flushing after each would make the counters the hottest
 * items of the table). What the alerts count (a failure, a refused token, a denied access, an
 * unplanned creation) is flushed at the end of its request. What a container counted since its last
 * flush is lost if it is never invoked again: at most `flushIntervalMs` of its successful requests.
 */
export class MetricsRecorder implements OperationRecorder, CacheAccessRecorder {
  private pending: CounterTotals = { values: new Map() };
  /** Counts the alerts read are pending: flushed at the end of the request. */
  private urgentPending = false;
  /** The functions whose counts are pending, when calls are recorded (a process that runs many). */
  private readonly contributors = new Set<string>();
  private lastFlushAt: number;
  private readonly clock: Clock;

  constructor(
    private readonly store: CounterStore,
    private readonly options: { flushIntervalMs: number; clock?: Clock },
  ) {
    this.clock = options.clock ?? systemClock;
    this.lastFlushAt = this.clock.now();
  }

  record(operation: string, ok: boolean, durationMs: number, error?: string, kind?: FailureKind): void {
    const op = operation.replace(/[^a-z0-9_]/gi, "_");
    this.bump(`n|${op}|${ok ? "ok" : "fail"}`, 1);
    // Failures by kind: a refusal of the plane is not an outage (the alerts tell them apart).
    if (!ok && kind && kind !== "error") this.bump(`f|${op}|${kind}`, 1);
    this.bump(`ms|${op}`, durationMs);
    const seconds = durationMs / 1000;
    let bucket = DURATION_BUCKETS.findIndex((le) => seconds <= le);
    if (bucket < 0) bucket = DURATION_BUCKETS.length;
    this.bump(`b|${op}|${bucket}`, 1);
    if (error) this.pending.lastError = { message: error, at: this.clock.now() };
    if (!ok) this.urgentPending = true;
  }

  /** Totals for every backend; a backend other than Vault also under its own name (Vault's = total - others). */
  cacheAccess(hit: boolean, tier: CacheTier, backend?: string): void {
    this.bump(hit ? "cache|hit" : "cache|miss", 1);
    this.bump(`cache|${hit ? "hit" : "miss"}_${tier}`, 1);
    if (backend && backend !== "vault") this.bump(`cache|${hit ? "hit" : "miss"}@${backend}`, 1);
    this.pending.lastCacheAccessAt = this.clock.now();
  }

  /** An API request refused for a missing, wrong or expired token; or Vault refusing the plane's login. */
  authFailure(source: "api" | "vault" = "api"): void {
    this.bump(`auth|failed_${source}`, 1);
    this.urgentPending = true;
  }

  /** A configuration created, by a planned creator or not. */
  keyCreated(planned: boolean): void {
    this.bump(`config|created_${planned ? "planned" : "unplanned"}`, 1);
    if (!planned) this.urgentPending = true;
  }

  /** An API request refused for its scope or path (403). */
  denied(): void {
    this.bump("api|denied", 1);
    this.urgentPending = true;
  }

  /** A read that never uses the cache by design (a sensitive value): kept out of the hit rate. */
  cacheBypass(backend?: string): void {
    this.bump("cache|bypass", 1);
    if (backend && backend !== "vault") this.bump(`cache|bypass@${backend}`, 1);
  }

  /** What this container counted but has not flushed yet. */
  unflushed(): CounterTotals {
    return this.pending;
  }

  async flushIfDue(): Promise<void> {
    const due = this.urgentPending || this.clock.now() - this.lastFlushAt >= this.options.flushIntervalMs;
    if (due) await this.flush();
  }

  async flush(): Promise<void> {
    const batch = this.pending;
    if (batch.values.size === 0 && !batch.lastError && batch.lastCacheAccessAt === undefined) return;
    this.pending = { values: new Map() };
    this.urgentPending = false;
    this.lastFlushAt = this.clock.now();
    const owners = [...this.contributors];
    this.contributors.clear();
    try {
      await onBehalfOf(owners, () => this.store.add(batch));
    } catch (error) {
      // Keep the counts for the next flush rather than lose them.
      this.pending = mergeTotals(batch, this.pending);
      throw error;
    }
  }

  private bump(name: string, by: number): void {
    this.pending.values.set(name, (this.pending.values.get(name) ?? 0) + by);
    const fn = currentFunction();
    if (fn) this.contributors.add(fn);
  }
}
