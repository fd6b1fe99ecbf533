import { randomBytes } from "node:crypto";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { epochSeconds, type StateTable } from "../aws/state-table";
import { type Clock, systemClock } from "../clock";

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

/**
 * The audit trail in DynamoDB: one partition per UTC day (newest-first queries by time range),
 * sorted by time, kept `retentionDays` through the TTL attribute.
 */
export class DynamoAuditLog {
  private readonly clock: Clock;

  constructor(
    private readonly table: StateTable,
    private readonly retentionDays: number,
    clock?: Clock,
  ) {
    this.clock = clock ?? systemClock;
  }

  async record(entry: AuditEntry, actor: Actor): Promise<AuditRecord> {
    const now = this.clock.now();
    const at = new Date(now).toISOString();
    const record: AuditRecord = { ...entry, at, actor: actor.name };
    if (actor.sourceIp) record.sourceIp = actor.sourceIp;
    if (actor.requestId) record.requestId = actor.requestId;
    await this.table.run("audit write", (c, TableName) =>
      c.send(
        new PutCommand({
          TableName,
          Item: {
            pk: `audit#${at.slice(0, 10)}`,
            sk: `${at}#${randomBytes(4).toString("hex")}`,
            ...record,
            expiresAt: epochSeconds(now) + this.retentionDays * 86_400,
          },
        }),
      ),
    );
    return record;
  }
}
