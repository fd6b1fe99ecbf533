import { randomBytes } from "node:crypto";
import {
  AwsClients,
  type CapacityPlan,
  DynamoAuditLog,
  DynamoCacheStore,
  DynamoCounterStore,
  ShardLayout,
  StateTable,
  type VaultopsContext,
} from "@vaultops/core";
import { leadingKeyClass } from "@vaultops/core/key-space";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { createHandler as create } from "../../functions/config/create";
import { createHandler as get } from "../../functions/config/get";
import { createHandler as list } from "../../functions/config/list";
import { createHandler as update } from "../../functions/config/update";
import { MemoryKv } from "../../packages/dev/src/capacity/memory-kv";
import { type CountedCall, MemoryTable } from "../../packages/dev/src/capacity/memory-table";
import { MODEL_SETTINGS, modelContext } from "../../packages/dev/src/capacity/model";
import { contextFor, createEvent, httpEvent, invoke, testEnv } from "../support/harness";

/**
 * The capacity work's promises on a real DynamoDB-API server (dynalite): the sync item's replicas
 * agree, a smaller plan never hides what a larger one wrote, and the capacity model counts each
 * request kind's calls and units as DynamoDB itself does.
 */
const services = () => inject("services");
const plan = (p: Partial<CapacityPlan>): CapacityPlan => ({
  auditShards: 8,
  counterShards: 16,
  syncReplicas: 1,
  cacheShards: 8,
  ...p,
});

async function freshTable(): Promise<StateTable> {
  const env = await testEnv();
  const clients = new AwsClients({ region: "us-east-1", dynamodb: services().dynamodbEndpoint });
  return new StateTable(clients, env.TABLE_NAME as string);
}

describe("the cache's sync item, replicated", () => {
  it("brings a change announced by a container on one replica to a container on another", async () => {
    const table = await freshTable();
    const a = new DynamoCacheStore(table, { syncReplicas: 3, replica: 0 });
    const b = new DynamoCacheStore(table, { syncReplicas: 3, replica: 2 });
    await a.announce([{ key: "config:x/y/k", version: 4 }]);
    await b.announce([{ key: "config:x/y/j", version: 2 }]);
    expect((await b.sync()).changes).toEqual([
      { key: "config:x/y/k", version: 4 },
      { key: "config:x/y/j", version: 2 },
    ]);
    expect((await a.sync()).seq).toBe(2);
  });

  it("moves every replica to one generation, and brings together replicas that drifted apart", async () => {
    const table = await freshTable();
    const stores = [0, 1, 2].map((r) => new DynamoCacheStore(table, { syncReplicas: 3, replica: r }));
    expect(await stores[0]?.bumpGeneration()).toBe(1);
    // A clear that reached replica 1 only (its other writes failed) ...
    await new DynamoCacheStore(table, { syncReplicas: 1 }).bumpGeneration(); // replica 0 alone: 2
    expect((await Promise.all(stores.map((s) => s.sync()))).map((s) => s.generation)).toEqual([2, 1, 1]);
    // ... and the next clear: every replica one above the highest.
    expect(await stores[2]?.bumpGeneration()).toBe(3);
    expect((await Promise.all(stores.map((s) => s.sync()))).map((s) => s.generation)).toEqual([3, 3, 3]);
  });

  it("keeps the change list short: trimmed back to what a container may miss", async () => {
    const table = await freshTable();
    const store = new DynamoCacheStore(table, { syncReplicas: 2, replica: 1 });
    for (let i = 0; i < 45; i++) await store.announce([{ key: `config:x/y/k${i}`, version: 1 }]);
    const sync = await store.sync();
    expect(sync.seq).toBe(45);
    expect(sync.changes.length).toBeLessThanOrEqual(40);
    expect(sync.changes.at(-1)).toEqual({ key: "config:x/y/k44", version: 1 });
  });
});

describe("a smaller plan never hides what a larger one wrote", () => {
  it("audit records and counters written over 32 shards are read whole by a deploy sized for 8", async () => {
    const table = await freshTable();
    const large = new ShardLayout(table, plan({ auditShards: 32, counterShards: 40 }));
    const small = new ShardLayout(table, plan({ auditShards: 8, counterShards: 16 }));
    // The larger deploy writes, and its health job records its layout.
    expect(await large.record()).toBe(true);
    const audit = new DynamoAuditLog(table, 30, large);
    for (let i = 0; i < 64; i++)
      await audit.record({ operation: "read", path: `x/y/k${i}`, success: true }, { name: "t" });
    const counters = new DynamoCounterStore(table, large);
    for (let i = 0; i < 80; i++) await counters.add({ values: new Map([["n|kv_read|ok", 1]]) });
    // The smaller deploy's health job records nothing lower; its readers cover all 32 and 40.
    expect(await small.record()).toBe(false);
    expect(await small.readable()).toEqual({ auditShards: 32, counterShards: 40 });
    const read = await new DynamoAuditLog(table, 30, small).query({ limit: 100 });
    expect(read.items).toHaveLength(64);
    expect((await new DynamoCounterStore(table, small).totals()).values.get("n|kv_read|ok")).toBe(80);
  });

  it("without a recorded layout, readers cover their own plan", async () => {
    const table = await freshTable();
    expect(await new ShardLayout(table, plan({ auditShards: 12 })).readable()).toEqual({
      auditShards: 12,
      counterShards: 16,
    });
  });
});

describe("the capacity model counts what DynamoDB counts", () => {
  type Step = { command: string; classes: string[]; readUnits: number; writeUnits: number };
  const ns = { environment: "model", service_name: `svc-${randomBytes(3).toString("hex")}` };
  const admin = { name: "ops", scopes: "admin monitor config:read secrets:read config:write" };
  const at = (key: string) => ({ path: `/api/v1/config/${key}`, query: ns, pathParams: { key } });
  // Periodic work (the sync check, the counter flush) once, at the first request, on both sides.
  const quiet = { CACHE_GENERATION_CHECK_MS: "600000", COUNTER_FLUSH_MS: "600000", EMF_ENABLED: "false" };

  /** The steps of one request kind, in order, each call with its key classes and units. */
  const requests = async (
    ctx: VaultopsContext,
    write: (path: string, value: string, sensitive: boolean) => Promise<void>,
  ) => {
    const seen: Step[][] = [];
    const step = async (kind: string, run: () => Promise<unknown>) => {
      calls.length = 0;
      await run();
      seen.push(calls.splice(0));
      expect(kind).toBeTruthy();
    };
    for (let i = 0; i < 12; i++) await write(`${ns.environment}/${ns.service_name}/k${i}`, `value-${i}`, i % 3 === 0);
    await step("create", () => invoke(create, ctx, createEvent({ key: "made", value: "v1", ...ns }, admin)));
    await step("get cached", () => invoke(get, ctx, httpEvent({ ...at("made"), principal: admin })));
    await step("get miss", () => invoke(get, ctx, httpEvent({ ...at("k1"), principal: admin })));
    await step("get sensitive", () => invoke(get, ctx, httpEvent({ ...at("k0"), principal: admin })));
    const page = () =>
      invoke(list, ctx, httpEvent({ path: "/api/v1/config", query: { ...ns, limit: "8" }, principal: admin }));
    await step("list cold", page);
    await step("list warm", page);
    await step("put", () =>
      invoke(
        update,
        ctx,
        httpEvent({ ...at("made"), method: "PUT", body: JSON.stringify({ value: "v2" }), principal: admin }),
      ),
    );
    return seen;
  };
  let calls: Step[] = [];

  beforeAll(() => {
    calls = [];
  });

  it("per request kind: the same calls, key classes and capacity units", async () => {
    // The local stack: dynalite answers every call's ConsumedCapacity.
    const env = await testEnv({ ...quiet });
    const real = contextFor(env);
    const doc = await real.clients.documentClient();
    doc.middlewareStack.add(
      (next, context) => async (args) => {
        const input = (args as { input: Record<string, unknown> }).input;
        input.ReturnConsumedCapacity = "TOTAL";
        const pks = new Set<string>();
        const note = (key: unknown) => {
          const pk = (key as { pk?: string } | undefined)?.pk;
          if (pk) pks.add(pk);
        };
        note(input.Key);
        note(input.Item);
        if (typeof input.KeyConditionExpression === "string")
          note({ pk: (input.ExpressionAttributeValues as Record<string, string>)[":pk"] });
        for (const r of Object.values((input.RequestItems ?? {}) as Record<string, unknown>)) {
          if (Array.isArray(r))
            for (const w of r as Array<Record<string, { Item?: unknown; Key?: unknown }>>)
              note(w.PutRequest?.Item ?? w.DeleteRequest?.Key);
          else for (const k of (r as { Keys: unknown[] }).Keys) note(k);
        }
        const command = String((context as { commandName?: string }).commandName);
        type Answer = Awaited<ReturnType<typeof next>>;
        const write = /Put|Update|Delete|BatchWrite/.test(command);
        try {
          const out: Answer = await next(args);
          const consumed = (out.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
          const units = (Array.isArray(consumed) ? consumed : [consumed]).reduce(
            (sum: number, c) => sum + Number((c as { CapacityUnits?: number } | undefined)?.CapacityUnits ?? 0),
            0,
          );
          calls.push({
            command,
            classes: [...new Set([...pks].map(leadingKeyClass))].sort(),
            readUnits: write ? 0 : units,
            writeUnits: write ? units : 0,
          });
          return out;
        } catch (error) {
          calls.push({
            command,
            classes: [...new Set([...pks].map(leadingKeyClass))].sort(),
            readUnits: 0,
            writeUnits: -1,
          });
          throw error;
        }
      },
      { step: "initialize", name: "countUnits" },
    );
    const onStack = await requests(real, async (path, value, sensitive) => {
      await real.gateway.request("kv_write", {
        method: "POST",
        path: `/secret/data/${path}`,
        json: { data: { value, is_encrypted: sensitive } },
      });
    });

    // The model: the same handlers on its table and Vault in memory.
    const table = new MemoryTable(
      () => 0,
      (c: CountedCall) =>
        calls.push({
          command: c.command,
          classes: [...new Set(c.partitionKeys.map(leadingKeyClass))].sort(),
          readUnits: c.readUnits,
          writeUnits: c.writeUnits,
        }),
    );
    const kv = new MemoryKv();
    const model = modelContext({ ...MODEL_SETTINGS, ...quiet }, { table, kv });
    const inModel = await requests(model, async (path, value, sensitive) => {
      kv.external(path, { value, is_encrypted: sensitive });
    });

    const shape = (steps: Step[][]) =>
      steps.map((s) =>
        s.map(
          (c) =>
            `${c.command.replace(/Command$/, "")} ${c.classes.join("+")} r${c.readUnits} w${c.writeUnits < 0 ? "?" : c.writeUnits}`,
        ),
      );
    // A refused conditional write reports no units on the stack (the error carries none): compared by call only.
    const inModelShape = shape(inModel).map((s, i) =>
      s.map((line, j) => ((shape(onStack)[i]?.[j] ?? "").endsWith("w?") ? line.replace(/w[\d.]+$/, "w?") : line)),
    );
    expect(inModelShape).toEqual(shape(onStack));
  });
});
