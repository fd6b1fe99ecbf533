import { AsyncLocalStorage } from "node:async_hooks";
import { appendFileSync } from "node:fs";
import { leadingKeyClass } from "./key-space";

/**
 * The AWS calls each function makes, recorded while the test suites run (never in AWS: only when
 * `VAULTOPS_AWS_CALL_LOG` names a file). An SDK middleware notes the service, the IAM action and the
 * resource, named by its role (`table`, `secret:api-tokens`, ...) rather than its name, with the
 * partition keys a DynamoDB call touches as key-space classes; each distinct call is appended once
 * per process as a JSON line. Nothing leaves the process but that file. The rights test compares them
 * with the IAM statements infra gives each function (test/infra/rights.test.ts).
 */
export interface RecordedCall {
  /** The function (its catalogue name) that made the call. */
  fn: string;
  /** The IAM service prefix: dynamodb, secretsmanager, cloudwatch, events, s3, kms. */
  service: string;
  /** The IAM action, without the prefix. */
  action: string;
  /** What the call acted on, by role; `*` for an action that takes no resource. */
  resource: string;
  /** DynamoDB: the key-space classes of the partition keys it touched. */
  leadingKeys?: string[];
}

/**
 * The names of the deploy's resources, so that a call names what it touched by its role (a call on
 * anything else is `<role>:other`: a resource the deploy does not have, refused in AWS).
 */
export interface ResourceNames {
  table?: string | undefined;
  apiTokensSecret?: string | undefined;
  vaultCredentialsSecret?: string | undefined;
  configSecretsPrefix?: string | undefined;
  snapshotBucket?: string | undefined;
  snapshotKey?: string | undefined;
  eventBus?: string | undefined;
  metricsNamespace?: string | undefined;
}

/** The function (or functions: a flush on behalf of several) whose invocation is running. */
const functionScope = new AsyncLocalStorage<string | string[]>();

export const recordingCalls = (): boolean => Boolean(process.env.VAULTOPS_AWS_CALL_LOG);

/**
 * Every call as the bench meters it (`VAULTOPS_AWS_METER_LOG` names the file; never set in AWS): one
 * JSON line per call, not deduplicated, with the DynamoDB capacity units DynamoDB says it consumed.
 */
export interface MeteredCall {
  fn: string;
  service: string;
  action: string;
  /** DynamoDB: the key-space classes of the partition keys it touched. */
  classes?: string[];
  /** DynamoDB: read or write capacity units consumed (a refused conditional write is charged too). */
  readUnits?: number;
  writeUnits?: number;
  /** The call failed (a refused conditional write is one). */
  failed?: boolean;
}

export const meteringCalls = (): boolean => Boolean(process.env.VAULTOPS_AWS_METER_LOG);

const DYNAMODB_READS = new Set(["GetItem", "BatchGetItem", "Query", "Scan"]);
const DYNAMODB_WRITES = new Set(["PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"]);

function meter(call: MeteredCall): void {
  const file = process.env.VAULTOPS_AWS_METER_LOG;
  if (file) appendFileSync(file, `${JSON.stringify(call)}\n`);
}

/** The units in a DynamoDB answer's ConsumedCapacity (one object, or one per table for batches). */
function unitsOf(consumed: unknown): number {
  const list = Array.isArray(consumed) ? consumed : consumed ? [consumed] : [];
  return list.reduce((sum: number, c) => sum + Number((c as { CapacityUnits?: number }).CapacityUnits ?? 0), 0);
}

/**
 * Runs one invocation of function `fn`: calls made within it are recorded as its own (one process
 * may run many functions: the local runtime, the integration suites). Costs nothing when not recording.
 */
export function asFunction<T>(fn: string, work: () => Promise<T>): Promise<T> {
  return recordingCalls() ? functionScope.run(fn, work) : work();
}

/** The function running now, when calls are recorded (for a store that acts later on its behalf). */
export function currentFunction(): string | undefined {
  if (!recordingCalls()) return undefined;
  const store = functionScope.getStore();
  return typeof store === "string" ? store : (process.env.AWS_LAMBDA_FUNCTION_NAME ?? undefined);
}

/**
 * Runs work done on behalf of several functions (the counters some functions bumped, flushed during
 * another's invocation in a process that runs many): its calls are recorded as each of theirs, as
 * each would have made them in a container of its own.
 */
export function onBehalfOf<T>(fns: string[], work: () => Promise<T>): Promise<T> {
  return recordingCalls() && fns.length > 0 ? functionScope.run(fns, work) : work();
}

const written = new Set<string>();

function record(call: RecordedCall): void {
  const file = process.env.VAULTOPS_AWS_CALL_LOG;
  if (!file) return;
  const line = JSON.stringify(call);
  if (written.has(line)) return;
  written.add(line);
  appendFileSync(file, `${line}\n`);
}

/** API operations whose IAM action has another name. */
const iamActions: Record<string, string> = { "s3:ListObjectsV2": "ListBucket", "s3:HeadObject": "GetObject" };

/** The IAM service prefix of an SDK client. */
const servicePrefixes: Record<string, string> = {
  DynamoDBClient: "dynamodb",
  DynamoDBDocumentClient: "dynamodb",
  SecretsManagerClient: "secretsmanager",
  CloudWatchClient: "cloudwatch",
  EventBridgeClient: "events",
  S3Client: "s3",
  KMSClient: "kms",
};

const stringOf = (value: unknown): string | undefined =>
  typeof value === "string"
    ? value
    : value && typeof value === "object" && typeof (value as { S?: unknown }).S === "string"
      ? (value as { S: string }).S
      : undefined;

/** The partition keys a DynamoDB request touches (document or marshalled form). */
function partitionKeys(input: Record<string, unknown>): string[] {
  const keys: string[] = [];
  const pk = (item: unknown) => {
    const value = stringOf((item as Record<string, unknown> | undefined)?.pk);
    if (value !== undefined) keys.push(value);
  };
  pk(input.Key);
  pk(input.Item);
  const queried = stringOf((input.ExpressionAttributeValues as Record<string, unknown> | undefined)?.[":pk"]);
  if (queried !== undefined && typeof input.KeyConditionExpression === "string") keys.push(queried);
  for (const requests of Object.values((input.RequestItems ?? {}) as Record<string, unknown>)) {
    if (Array.isArray(requests)) {
      for (const r of requests as Array<Record<string, { Item?: unknown; Key?: unknown }>>) {
        pk(r.PutRequest?.Item);
        pk(r.DeleteRequest?.Key);
      }
    } else {
      for (const key of ((requests as { Keys?: unknown[] }).Keys ?? []) as unknown[]) pk(key);
    }
  }
  return keys;
}

function resourceOf(service: string, input: Record<string, unknown>, names: ResourceNames): string {
  const secret = (id: unknown) => {
    const value = String(id ?? "");
    if (value && (value === names.apiTokensSecret || value.endsWith(`:${names.apiTokensSecret}`)))
      return "secret:api-tokens";
    if (value && value === names.vaultCredentialsSecret) return "secret:vault-credentials";
    const prefix = names.configSecretsPrefix;
    if (prefix && (value.startsWith(`${prefix}/`) || value.includes(`:secret:${prefix}/`))) return "secret:config";
    return `secret:other`;
  };
  switch (service) {
    case "dynamodb": {
      const table = (input.TableName as string | undefined) ?? Object.keys(input.RequestItems ?? {})[0];
      return table === names.table ? "table" : `table:other`;
    }
    case "secretsmanager":
      if (input.SecretId === undefined && input.Name === undefined) return "*";
      return secret(input.SecretId ?? input.Name);
    case "s3":
      return input.Bucket === names.snapshotBucket ? "bucket:snapshots" : "bucket:other";
    case "kms":
      return input.KeyId === undefined || input.KeyId === names.snapshotKey ? "key:snapshots" : "key:other";
    case "events": {
      const buses = ((input.Entries ?? []) as Array<{ EventBusName?: string }>).map((e) => e.EventBusName ?? "default");
      return buses.every((b) => b === (names.eventBus ?? "default")) ? "bus" : "bus:other";
    }
    case "cloudwatch":
      // PutMetricData takes no resource; its namespace is the condition key IAM restricts.
      return input.Namespace === names.metricsNamespace ? "namespace" : "namespace:other";
    default:
      return "*";
  }
}

/**
 * The middleware that records (and, for the bench, meters) a client's calls, or undefined when doing
 * neither. It runs at the `initialize` step, before the SDK sends anything, so a call that fails is
 * recorded too.
 */
export function callRecorder(names: ResourceNames): undefined | ((client: RecordableClient) => void) {
  if (!recordingCalls() && !meteringCalls()) return undefined;
  return (client) => {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const clientName = String((context as { clientName?: string }).clientName ?? "");
        const service = servicePrefixes[clientName] ?? clientName;
        const command = String((context as { commandName?: string }).commandName ?? "").replace(/Command$/, "");
        const input = ((args as { input?: Record<string, unknown> }).input ?? {}) as Record<string, unknown>;
        const scope = functionScope.getStore();
        const fns = Array.isArray(scope) ? scope : [scope ?? process.env.AWS_LAMBDA_FUNCTION_NAME ?? "unattributed"];
        const call: Omit<RecordedCall, "fn"> = {
          service,
          action: iamActions[`${service}:${command}`] ?? command,
          resource: resourceOf(service, input, names),
        };
        if (service === "dynamodb") {
          const classes = [...new Set(partitionKeys(input).map(leadingKeyClass))].sort();
          if (classes.length > 0) call.leadingKeys = classes;
        }
        if (recordingCalls()) for (const fn of fns) record({ fn, ...call });
        if (!meteringCalls()) return next(args);
        const reads = DYNAMODB_READS.has(command);
        const writes = DYNAMODB_WRITES.has(command);
        if (service === "dynamodb" && (reads || writes)) input.ReturnConsumedCapacity = "TOTAL";
        const metered = (units: number, failed?: boolean) => {
          // Shared work (a counter flush on behalf of several) is metered once, as the first one's.
          meter({
            fn: fns[0] as string,
            service,
            action: call.action,
            ...(call.leadingKeys ? { classes: call.leadingKeys } : {}),
            ...(reads ? { readUnits: units } : {}),
            ...(writes ? { writeUnits: units } : {}),
            ...(failed ? { failed } : {}),
          });
        };
        try {
          const out = (await next(args)) as { output?: { ConsumedCapacity?: unknown } };
          metered(unitsOf(out.output?.ConsumedCapacity));
          return out;
        } catch (error) {
          // DynamoDB charges a refused conditional write as a write of the item (ours are under 1 KB).
          metered(writes && (error as { name?: string }).name === "ConditionalCheckFailedException" ? 1 : 0, true);
          throw error;
        }
      },
      { step: "initialize", name: "vaultopsCallRecorder", override: true },
    );
  };
}

/** What the recorder needs of an SDK client. */
export interface RecordableClient {
  middlewareStack: {
    add(
      middleware: (next: (args: unknown) => Promise<unknown>, context: unknown) => (args: unknown) => Promise<unknown>,
      options: { step: "initialize"; name: string; override: boolean },
    ): void;
  };
}
