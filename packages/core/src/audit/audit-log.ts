import { randomBytes } from "node:crypto";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { keys } from "../aws/key-space";
import type { ShardLayout } from "../aws/shard-layout";
import { epochSeconds, queryPartition, type StateTable } from "../aws/state-table";
import { type Clock, systemClock } from "../clock";
import { StateStoreError } from "../errors";
import { type AuditFilter, matchesFilter } from "./analysis";

/** Who asked, from where, in which request: passed from the HTTP edge into every audited operation. */
export interface Actor {
  name: string;
  sourceIp?: string;
  requestId?: string;
}

export interface AuditEntry {
  operation: string;
  /** `{environment}/{service_name}/{key}` or another resource path; never a value. */
  path: string;
  success: boolean;
  /** Short hash (8 bytes of SHA-256) of the value involved, when there is one. */
  keyHash?: string;
  version?: number;
  error?: string;
}

export interface AuditRecord extends AuditEntry {
  at: string;
  actor: string;
  sourceIp?: string;
  requestId?: string;
}

const DAY_MS = 86_400_000;

/** The audit trail as the services use it. */
export interface AuditLog {
  record(entry: AuditEntry, actor: Actor): Promise<AuditRecord>;
  /** Several records of one request (a list's reads). */
  recordMany(entries: AuditEntry[], actor: Actor): Promise<void>;
  query(
    filter: AuditFilter & { from?: number; to?: number; limit?: number; cursor?: string },
  ): Promise<{ items: AuditRecord[]; next_cursor: string | null }>;
}

/**
 * The audit trail in DynamoDB: partitions per UTC day and shard, sorted by time, kept
 * `retentionDays` through the TTL attribute; queries merge the shards newest first.
 */
export class DynamoAuditLog implements AuditLog {
  private readonly clock: Clock;

  constructor(
    private readonly table: StateTable,
    private readonly retentionDays: number,
    /** Writers spread over the plan's shards; readers cover every shard any plan has written. */
    private readonly layout: Pick<ShardLayout, "plan" | "readable">,
    clock?: Clock,
  ) {
    this.clock = clock ?? systemClock;
  }

  private item(entry: AuditEntry, actor: Actor, now: number): { record: AuditRecord; item: Record<string, unknown> } {
    const at = new Date(now).toISOString();
    const record: AuditRecord = { ...entry, at, actor: actor.name };
    if (actor.sourceIp) record.sourceIp = actor.sourceIp;
    if (actor.requestId) record.requestId = actor.requestId;
    const shard = randomBytes(2).readUInt16BE(0) % this.layout.plan.auditShards;
    return {
      record,
      item: {
        pk: keys.auditPartition(at.slice(0, 10), shard),
        sk: `${at}#${randomBytes(4).toString("hex")}`,
        ...record,
        expiresAt: epochSeconds(now) + this.retentionDays * 86_400,
      },
    };
  }

  async record(entry: AuditEntry, actor: Actor): Promise<AuditRecord> {
    const { record, item } = this.item(entry, actor, this.clock.now());
    await this.table.run("audit write", (c, TableName) => c.send(new PutCommand({ TableName, Item: item })));
    return record;
  }

  /** Several records of one request (a list's reads) in batches of 25; unprocessed items are retried. */
  async recordMany(entries: AuditEntry[], actor: Actor): Promise<void> {
    const now = this.clock.now();
    const requests = entries.map((entry) => ({ PutRequest: { Item: this.item(entry, actor, now).item } }));
    const left = await this.table.batchWrite("audit write batch", requests);
    if (left > 0) throw new StateStoreError("Audit records not written", { details: `${left} left` });
  }

  /**
   * Records between `from` and `to` that match the filter, newest first. `cursor` (the `next_cursor`
   * of a previous page) continues after the last record returned.
   */
  async query(
    filter: AuditFilter & { from?: number; to?: number; limit?: number; cursor?: string },
  ): Promise<{ items: AuditRecord[]; next_cursor: string | null }> {
    const to = Math.min(filter.to ?? this.clock.now(), this.clock.now() + DAY_MS);
    // Nothing older than the retention exists (TTL): never walk day partitions before it.
    const from = Math.max(filter.from ?? to - DAY_MS, this.clock.now() - (this.retentionDays + 1) * DAY_MS);
    const limit = filter.limit ?? 100;
    const upper = filter.cursor ?? `${new Date(to).toISOString()}#~`;
    const lower = new Date(from).toISOString();
    const items: Array<AuditRecord & { sk: string }> = [];
    if (upper <= lower || from > to) return { items: [], next_cursor: null };
    const { auditShards } = await this.layout.readable();
    for (
      let day = Date.parse(new Date(to).toISOString().slice(0, 10));
      day >= Date.parse(lower.slice(0, 10));
      day -= DAY_MS
    ) {
      const date = new Date(day).toISOString().slice(0, 10);
      const perShard = await Promise.all(
        Array.from({ length: auditShards }, (_, shard) =>
          this.queryDay(keys.auditPartition(date, shard), lower, upper, filter, limit),
        ),
      );
      items.push(...perShard.flat());
      if (items.length >= limit) break;
    }
    items.sort((a, b) => b.sk.localeCompare(a.sk));
    const page = items.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map(({ sk: _sk, ...record }) => record),
      next_cursor: items.length > limit && last ? last.sk : null,
    };
  }

  private async queryDay(pk: string, lower: string, upper: string, filter: AuditFilter, limit: number) {
    const items = await queryPartition(this.table, "audit query", pk, {
      between: [lower, upper],
      newestFirst: true,
      keep: (item) => String(item.sk) < upper && matchesFilter(item as unknown as AuditRecord, filter),
      max: limit,
    });
    return items.map(({ pk: _pk, expiresAt: _e, ...rest }) => rest as unknown as AuditRecord & { sk: string });
  }
}
