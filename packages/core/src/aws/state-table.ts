import {
  BatchGetCommand,
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
} from "@aws-sdk/lib-dynamodb";
import { StateStoreError } from "../errors";
import type { AwsClients } from "./clients";

/**
 * The one DynamoDB table (single-table design): pk/sk strings, TTL attribute `expiresAt`
 * in epoch seconds. TTL deletion is lazy (and absent in dynalite), so readers check expiry.
 */
export const TABLE_KEYS = { partition: "pk", sort: "sk", ttl: "expiresAt" } as const;

export type Item = Record<string, unknown> & { pk: string; sk: string };

/** How long a table that did not answer is not asked again (by this container). */
const UNAVAILABLE_FOR_MS = 1_000;

/** Before asking again for what DynamoDB left unprocessed: 25, 50, 100, 200 ms, with full jitter. */
const backoff = (attempt: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * 25 * 2 ** (attempt - 1)));

/** A call that found no table to talk to: cut at its deadline, timed out, refused, reset. */
const unreachable = (error: unknown): boolean => {
  const e = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  return (
    ["AbortError", "TimeoutError", "RequestTimeout"].includes(e.name ?? "") ||
    ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND"].includes(e.code ?? "") ||
    (e.$metadata?.httpStatusCode ?? 0) >= 500
  );
};

/** What a state-table call gets: the document client's `send`, bound to the call's deadline. */
export type TableClient = Pick<DynamoDBDocumentClient, "send">;

export class StateTable {
  /** Until when this container treats the table as not answering (after a call was cut or refused). */
  private unavailableUntil = 0;

  /**
   * @param deadlineMs each call's whole budget, the SDK's retries included (DYNAMODB_DEADLINE_MS):
   * past it the call is cut and answers StateStoreError (503), as a refused connection does.
   */
  constructor(
    private readonly clients: AwsClients,
    readonly tableName: string,
    private readonly deadlineMs = 2_000,
  ) {}

  /** A conditional write: false when the condition does not hold (nothing written), errors as in `run`. */
  async putIf(what: string, item: Item, condition: string, values?: Record<string, unknown>): Promise<boolean> {
    try {
      await this.run(what, (c, TableName) =>
        c.send(
          new PutCommand({
            TableName,
            Item: item,
            ConditionExpression: condition,
            ...(values ? { ExpressionAttributeValues: values } : {}),
          }),
        ),
      );
      return true;
    } catch (error) {
      if ((error as { name?: string }).name === "ConditionalCheckFailedException") return false;
      throw error;
    }
  }

  /**
   * Puts or deletes in batches of 25, sending what DynamoDB leaves unprocessed (throttled) again after
   * a short backoff, up to 5 times per batch; returns how many requests were still left over.
   */
  async batchWrite(what: string, requests: Record<string, unknown>[]): Promise<number> {
    let left = 0;
    for (let i = 0; i < requests.length; i += 25) {
      let batch = requests.slice(i, i + 25);
      for (let attempt = 0; batch.length > 0 && attempt < 5; attempt++) {
        if (attempt > 0) await backoff(attempt);
        const out = await this.run(what, (c, TableName) =>
          c.send(new BatchWriteCommand({ RequestItems: { [TableName]: batch } })),
        );
        batch = (out.UnprocessedItems?.[this.tableName] ?? []) as Record<string, unknown>[];
      }
      left += batch.length;
    }
    return left;
  }

  /**
   * Items by key, 100 keys a call (the calls in parallel), eventually consistent unless asked; keys DynamoDB leaves
   * unprocessed are asked again after a short backoff (up to 5 times), then the read fails (503).
   */
  async batchGet(
    what: string,
    keys: Array<{ pk: string; sk: string }>,
    options: { consistent?: boolean } = {},
  ): Promise<Record<string, unknown>[]> {
    const pages: Array<Array<{ pk: string; sk: string }>> = [];
    for (let i = 0; i < keys.length; i += 100) pages.push(keys.slice(i, i + 100));
    const found = await Promise.all(
      pages.map(async (page) => {
        const items: Record<string, unknown>[] = [];
        let pending: Record<string, unknown>[] = page;
        for (let attempt = 0; pending.length > 0; attempt++) {
          if (attempt === 5)
            throw new StateStoreError("Shared state store is not available", {
              details: `${what}: ${pending.length} keys left unprocessed`,
            });
          if (attempt > 0) await backoff(attempt);
          const request = pending;
          const out = await this.run(what, (c, TableName) =>
            c.send(
              new BatchGetCommand({
                RequestItems: {
                  [TableName]: { Keys: request, ...(options.consistent ? { ConsistentRead: true } : {}) },
                },
              }),
            ),
          );
          items.push(...(out.Responses?.[this.tableName] ?? []));
          pending = (out.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Record<string, unknown>[];
        }
        return items;
      }),
    );
    return found.flat();
  }

  /**
   * Runs one DynamoDB call within its deadline; an unreachable, stalled or missing table becomes
   * StateStoreError (503).
   */
  async run<T>(what: string, fn: (client: TableClient, table: string) => Promise<T>): Promise<T> {
    // A stalled table costs one deadline a second, not one per call: a request that needs it several
    // times (its cache, its audit record, its counters) fails at the first.
    if (Date.now() < this.unavailableUntil)
      throw new StateStoreError("Shared state store is not available", {
        details: `${what}: not answering (a call failed less than ${UNAVAILABLE_FOR_MS} ms ago)`,
      });
    const client = await this.clients.documentClient();
    const abortSignal = AbortSignal.timeout(this.deadlineMs);
    const bound = {
      send: ((command: Parameters<DynamoDBDocumentClient["send"]>[0]) =>
        client.send(command as never, { abortSignal })) as TableClient["send"],
    };
    try {
      return await fn(bound, this.tableName);
    } catch (error) {
      const name = (error as { name?: string }).name ?? "";
      if (name === "ConditionalCheckFailedException") throw error;
      if (unreachable(error)) this.unavailableUntil = Date.now() + UNAVAILABLE_FOR_MS;
      throw new StateStoreError("Shared state store is not available", {
        cause: error,
        details: `${what}: ${name || (error as Error).message}`,
      });
    }
  }
}

export interface PartitionQuery {
  /** Sort keys between these two (inclusive). */
  between?: [string, string];
  newestFirst?: boolean;
  /** Only items this accepts are returned (and counted against `max`). */
  keep?: (item: Record<string, unknown>) => boolean;
  /** Stop paging once more than this many items are kept. */
  max?: number;
}

/**
 * Every item of one partition, page by page. With `max`, the first page asks for `max + 1` items
 * and each further page for four times more: a query that keeps everything reads one small page
 * (not DynamoDB's default 1 MB), a selective `keep` still gets through a large partition in a few calls.
 */
export async function queryPartition(
  table: StateTable,
  what: string,
  pk: string,
  options: PartitionQuery = {},
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  let pageLimit = options.max === undefined ? undefined : options.max + 1;
  do {
    const page = await table.run(what, (c, TableName) =>
      c.send(
        new QueryCommand({
          TableName,
          KeyConditionExpression: options.between ? "pk = :pk AND sk BETWEEN :lo AND :hi" : "pk = :pk",
          ExpressionAttributeValues: {
            ":pk": pk,
            ...(options.between ? { ":lo": options.between[0], ":hi": options.between[1] } : {}),
          },
          ScanIndexForward: !options.newestFirst,
          ExclusiveStartKey: start,
          ...(pageLimit === undefined ? {} : { Limit: pageLimit }),
        }),
      ),
    );
    if (pageLimit !== undefined) pageLimit *= 4;
    for (const item of page.Items ?? []) if (!options.keep || options.keep(item)) items.push(item);
    start = options.max !== undefined && items.length > options.max ? undefined : page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Creates the table when missing (local runtime and tests; in AWS, infra/storage.ts declares it). */
export async function ensureTable(clients: AwsClients, tableName: string): Promise<void> {
  const { CreateTableCommand, DescribeTableCommand, UpdateTimeToLiveCommand } = await import(
    "@aws-sdk/client-dynamodb"
  );
  const doc = await clients.documentClient();
  try {
    await doc.send(new DescribeTableCommand({ TableName: tableName }));
    return;
  } catch (error) {
    if ((error as { name?: string }).name !== "ResourceNotFoundException") throw error;
  }
  await doc.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [
        { AttributeName: TABLE_KEYS.partition, AttributeType: "S" },
        { AttributeName: TABLE_KEYS.sort, AttributeType: "S" },
      ],
      KeySchema: [
        { AttributeName: TABLE_KEYS.partition, KeyType: "HASH" },
        { AttributeName: TABLE_KEYS.sort, KeyType: "RANGE" },
      ],
    }),
  );
  // The SDK's waiter first sleeps 20 s; emulators are ready in milliseconds, so poll briefly instead.
  for (let attempt = 0; attempt < 300; attempt++) {
    const out = await doc.send(new DescribeTableCommand({ TableName: tableName }));
    if (out.Table?.TableStatus === "ACTIVE") break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  try {
    await doc.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: TABLE_KEYS.ttl, Enabled: true },
      }),
    );
  } catch {
    // dynalite has no UpdateTimeToLive; readers check expiresAt themselves, so this is not an error.
  }
}

export const epochSeconds = (ms: number): number => Math.floor(ms / 1000);
