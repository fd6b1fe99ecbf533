import { randomBytes } from "node:crypto";
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { keys } from "../aws/key-space";
import { epochSeconds, queryPartition, type StateTable } from "../aws/state-table";
import type { GeneratorSpec } from "./generator";

/** A rotation policy with its running state, one item per secret path. */
export interface RotationPolicy {
  path: string;
  environment: string;
  service_name: string;
  key: string;
  interval_days: number;
  grace_period_hours: number;
  auto_rotate: boolean;
  generator: GeneratorSpec;
  created_at: string;
  updated_at: string;
  last_rotated_at?: string;
  last_version?: number;
  /** The version replaced by the last rotation, readable until `grace_until`. */
  previous_version?: number;
  grace_until?: string;
  previous_retired?: boolean;
  last_outcome?: "success" | "failed" | "conflict";
  last_error?: string;
  last_attempt_at?: string;
  consecutive_failures?: number;
}

export interface RotationHistoryEntry {
  at: string;
  outcome: "success" | "failed" | "conflict" | "retired";
  trigger: string;
  version?: number;
  previous_version?: number;
  error?: string;
  actor: string;
}

const POLICIES = keys.rotationPolicies;
const HISTORY_DAYS = 365;

/** What rotation needs of the state table: policies with their state and claim, and a history. */
export interface RotationStore {
  get(path: string): Promise<RotationPolicy | undefined>;
  put(policy: RotationPolicy): Promise<void>;
  delete(path: string): Promise<boolean>;
  all(): Promise<RotationPolicy[]>;
  claim(path: string, now: number, leaseMs: number): Promise<boolean>;
  saveState(policy: RotationPolicy): Promise<void>;
  addHistory(path: string, entry: RotationHistoryEntry): Promise<void>;
  history(path: string, limit: number): Promise<RotationHistoryEntry[]>;
}

/**
 * Policies live in DynamoDB, not in KV custom metadata: the hourly job finds due policies with one
 * Query instead of walking every Vault path, and state updates are conditional writes.
 */
export class DynamoRotationStore implements RotationStore {
  constructor(private readonly table: StateTable) {}

  async get(path: string): Promise<RotationPolicy | undefined> {
    const out = await this.table.run("rotation policy read", (c, TableName) =>
      c.send(new GetCommand({ TableName, Key: { pk: POLICIES, sk: path }, ConsistentRead: true })),
    );
    return out.Item ? strip(out.Item) : undefined;
  }

  async put(policy: RotationPolicy): Promise<void> {
    await this.table.run("rotation policy write", (c, TableName) =>
      c.send(new PutCommand({ TableName, Item: { pk: POLICIES, sk: policy.path, ...policy } })),
    );
  }

  async delete(path: string): Promise<boolean> {
    const out = await this.table.run("rotation policy delete", (c, TableName) =>
      c.send(new DeleteCommand({ TableName, Key: { pk: POLICIES, sk: path }, ReturnValues: "ALL_OLD" })),
    );
    return out.Attributes !== undefined;
  }

  async all(): Promise<RotationPolicy[]> {
    return (await queryPartition(this.table, "rotation policy list", POLICIES)).map(strip);
  }

  /** Claims a policy for one rotation (two overlapping job runs never rotate the same secret twice). */
  async claim(path: string, now: number, leaseMs: number): Promise<boolean> {
    try {
      await this.table.run("rotation claim", (c, TableName) =>
        c.send(
          new UpdateCommand({
            TableName,
            Key: { pk: POLICIES, sk: path },
            UpdateExpression: "SET lockedUntil = :until",
            ConditionExpression: "attribute_exists(pk) AND (attribute_not_exists(lockedUntil) OR lockedUntil < :now)",
            ExpressionAttributeValues: { ":until": now + leaseMs, ":now": now },
          }),
        ),
      );
      return true;
    } catch (error) {
      if ((error as { name?: string }).name === "ConditionalCheckFailedException") return false;
      throw error;
    }
  }

  /** Records the outcome and releases the claim, unless the policy was deleted meanwhile. */
  async saveState(policy: RotationPolicy): Promise<void> {
    await this.table.putIf(
      "rotation state write",
      { pk: POLICIES, sk: policy.path, ...policy },
      "attribute_exists(pk)",
    );
  }

  async addHistory(path: string, entry: RotationHistoryEntry): Promise<void> {
    await this.table.run("rotation history write", (c, TableName) =>
      c.send(
        new PutCommand({
          TableName,
          Item: {
            pk: keys.rotationHistory(path),
            sk: `${entry.at}#${randomBytes(3).toString("hex")}`,
            ...entry,
            expiresAt: epochSeconds(Date.parse(entry.at)) + HISTORY_DAYS * 86_400,
          },
        }),
      ),
    );
  }

  async history(path: string, limit: number): Promise<RotationHistoryEntry[]> {
    const out = await this.table.run("rotation history read", (c, TableName) =>
      c.send(
        new QueryCommand({
          TableName,
          KeyConditionExpression: "pk = :pk",
          ExpressionAttributeValues: { ":pk": keys.rotationHistory(path) },
          ScanIndexForward: false,
          Limit: limit,
        }),
      ),
    );
    return (out.Items ?? []).map((item) => {
      const { pk: _pk, sk: _sk, expiresAt: _e, ...entry } = item;
      return entry as RotationHistoryEntry;
    });
  }
}

function strip(item: Record<string, unknown>): RotationPolicy {
  const { pk: _pk, sk: _sk, lockedUntil: _l, ...policy } = item;
  return policy as unknown as RotationPolicy;
}
