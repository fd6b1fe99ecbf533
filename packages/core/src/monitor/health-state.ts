import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { keys } from "../aws/key-space";
import type { StateTable } from "../aws/state-table";
import type { VaultStatus } from "../vault/health";
import type { HealthErrorKind } from "./public-error";

/** The last observed Vault health, shared by every container and the scheduled check. */
export interface HealthState {
  status: VaultStatus;
  checkedAt: number;
  durationMs: number;
  version?: string;
  /** What failed, by kind (never a message: those hold paths and addresses). */
  error?: HealthErrorKind;
  tokenTtlSeconds?: number;
  tokenRenewable?: boolean;
  tokenCheckedAt?: number;
}

const KEY = keys.health;

export interface HealthStateStore {
  get(): Promise<HealthState | undefined>;
  save(state: HealthState): Promise<void>;
}

export interface JobRun {
  at: number;
  ok: boolean;
  durationMs: number;
  summary?: Record<string, unknown>;
}

export interface JobRunStore {
  record(job: string, run: JobRun): Promise<void>;
  last(job: string): Promise<Omit<JobRun, "summary"> | undefined>;
}

export class DynamoHealthStateStore implements HealthStateStore {
  constructor(private readonly table: StateTable) {}

  async get(): Promise<HealthState | undefined> {
    const out = await this.table.run("health read", (c, TableName) => c.send(new GetCommand({ TableName, Key: KEY })));
    if (!out.Item) return undefined;
    const { pk: _pk, sk: _sk, ...state } = out.Item;
    return state as HealthState;
  }

  /** Writes unless a newer observation is already stored (checks race between containers). */
  async save(state: HealthState): Promise<void> {
    await this.table.putIf(
      "health write",
      { ...KEY, ...state },
      "attribute_not_exists(checkedAt) OR checkedAt <= :at",
      {
        ":at": state.checkedAt,
      },
    );
  }
}

/** When each scheduled job last ran and how it went (status endpoint, runbooks). */
export class DynamoJobRunStore implements JobRunStore {
  constructor(private readonly table: StateTable) {}

  async record(job: string, run: JobRun): Promise<void> {
    await this.table.run("job run write", (c, TableName) =>
      c.send(new PutCommand({ TableName, Item: { ...keys.jobRun(job), ...run } })),
    );
  }

  async last(job: string): Promise<Omit<JobRun, "summary"> | undefined> {
    const out = await this.table.run("job run read", (c, TableName) =>
      c.send(new GetCommand({ TableName, Key: keys.jobRun(job) })),
    );
    return out.Item
      ? { at: Number(out.Item.at), ok: out.Item.ok === true, durationMs: Number(out.Item.durationMs) }
      : undefined;
  }
}
