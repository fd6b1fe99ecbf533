import { randomBytes } from "node:crypto";
import type { VaultopsContext } from "@vaultops/core";
import { AwsClients, ensureTable } from "@vaultops/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHandler as create } from "../../functions/config/create";
import { createHandler as get } from "../../functions/config/get";
import { createHandler as update } from "../../functions/config/update";
import { createHandler as health } from "../../functions/vault/health";
import { startDynamoServer } from "../../packages/dev/src/dynamodb-server";
import { contextFor, createEvent, httpEvent, invoke, testEnv } from "../support/harness";
import { startTcpProxy } from "../support/tcp-proxy";

/**
 * DynamoDB and Secrets Manager stalled (every byte held, as a SIGSTOPped process holds them) or losing
 * an answer: each call is cut at its deadline, the answer is a clean 503 naming the dependency that
 * stalled (504 outcome_unknown for a write that may land later), never a 500, never a wait for the
 * function's timeout, never another dependency blamed; and everything works again once it answers.
 */
const DYNAMO_DEADLINE_MS = 800;
const SM_DEADLINE_MS = 1_500;

const timed = async <T>(fn: () => Promise<T>) => {
  const started = performance.now();
  const result = await fn();
  return { result, ms: performance.now() - started };
};

/** The two keys each stall test reads: `plain` and `secret` (sensitive), both at version 1. */
async function createPlainAndSecret(ctx: VaultopsContext, ns: { environment: string; service_name: string }) {
  for (const key of ["plain", "secret"])
    expect(
      (await invoke(create, ctx, createEvent({ key, value: "v1", ...ns, is_encrypted: key === "secret" }))).status,
    ).toBe(201);
}

describe("DynamoDB stalled", () => {
  let dynamo: Awaited<ReturnType<typeof startDynamoServer>>;
  let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
  let ctx: VaultopsContext;
  const ns = { environment: "stall", service_name: `ddb-${randomBytes(3).toString("hex")}` };
  const read = (key: string) =>
    invoke(get, ctx, httpEvent({ path: `/api/v1/config/${key}`, query: ns, pathParams: { key } }));

  beforeAll(async () => {
    dynamo = await startDynamoServer();
    const url = new URL(dynamo.endpoint);
    proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port) });
    const table = `stall-${randomBytes(3).toString("hex")}`;
    await ensureTable(new AwsClients({ region: "us-east-1", dynamodb: dynamo.endpoint }), table);
    ctx = contextFor(
      await testEnv({
        DYNAMODB_ENDPOINT: proxy.url,
        TABLE_NAME: table,
        DYNAMODB_TIMEOUT_MS: "300",
        DYNAMODB_DEADLINE_MS: String(DYNAMO_DEADLINE_MS),
        HEALTH_MEMO_MS: "0",
        CACHE_MEMORY_TTL_SECONDS: "0",
      }),
    );
    await createPlainAndSecret(ctx, ns);
  });
  afterAll(async () => {
    await proxy?.close();
    await dynamo?.stop();
  });

  it("answers reads and writes 503 state_store_unavailable at the deadline, /health 200 with a warning, then recovers", async () => {
    proxy.stall();
    try {
      for (const [name, call] of [
        ["cached read", () => read("plain")],
        ["sensitive read (its audit record)", () => read("secret")],
        [
          "write",
          () =>
            invoke(
              update,
              ctx,
              httpEvent({
                method: "PUT",
                path: "/api/v1/config/plain",
                query: ns,
                pathParams: { key: "plain" },
                body: JSON.stringify({ value: "during-stall" }),
              }),
            ),
        ],
      ] as const) {
        const { result, ms } = await timed(call);
        expect(result.status, `${name}: ${JSON.stringify(result.body)}`).toBe(503);
        expect(result.body.code, name).toBe("state_store_unavailable");
        // One call's deadline (its retries included), not the function's timeout.
        expect(ms, `${name} took ${ms.toFixed(0)} ms`).toBeLessThan(DYNAMO_DEADLINE_MS * 2 + 500);
      }
      const probe = await timed(() =>
        invoke(health, ctx, httpEvent({ path: "/api/v1/vault/health", principal: null })),
      );
      expect(probe.result.status).toBe(200);
      expect((probe.result.body.vault_health as { warnings: string[] }).warnings.join(" ")).toMatch(/unavailable/);
      expect(probe.ms).toBeLessThan(DYNAMO_DEADLINE_MS * 2 + 500);
    } finally {
      proxy.pass();
    }
    // This container asks the table again a second after it last failed to answer.
    await new Promise((r) => setTimeout(r, 1_100));
    const after = await Promise.all(Array.from({ length: 10 }, () => read("plain")));
    expect(after.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(after[0]?.body.value).toBe("v1");
  });
});

describe("Secrets Manager stalled or losing an answer", () => {
  let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
  let ctx: VaultopsContext;
  const ns = { environment: "stall-sm", service_name: `sm-${randomBytes(3).toString("hex")}` };
  const read = (key: string) =>
    invoke(get, ctx, httpEvent({ path: `/api/v1/config/${key}`, query: ns, pathParams: { key } }));
  const put = (key: string, value: string) =>
    invoke(
      update,
      ctx,
      httpEvent({
        method: "PUT",
        path: `/api/v1/config/${key}`,
        query: ns,
        pathParams: { key },
        body: JSON.stringify({ value }),
      }),
    );
  const auditOf = async (requestId: string) =>
    (await ctx.audit.query({ from: Date.now() - 60_000, to: Date.now() + 1_000, limit: 500 })).items.filter(
      (r) => r.requestId === requestId,
    );

  beforeAll(async () => {
    const base = await testEnv();
    const url = new URL(base.AWS_ENDPOINT_URL as string);
    proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port) });
    ctx = contextFor({
      ...base,
      AWS_ENDPOINT_URL: proxy.url,
      CONFIG_BACKENDS: "stall-sm/*=aws,*=vault",
      AWS_SECRETS_PREFIX: `stall-${randomBytes(3).toString("hex")}`,
      VAULT_DEADLINE_MS: String(SM_DEADLINE_MS),
      AWS_TIMEOUT_MS: "1000",
      CACHE_MEMORY_TTL_SECONDS: "0",
    });
    await createPlainAndSecret(ctx, ns);
  });
  afterAll(async () => {
    await proxy?.close();
  });

  it("answers a stalled read 503 backend_unavailable within the deadline", async () => {
    proxy.stall();
    try {
      const { result, ms } = await timed(() => read("secret"));
      expect(result.status).toBe(503);
      expect(result.body).toMatchObject({
        code: "backend_unavailable",
        error: "Cannot read configuration: Secrets Manager is not available",
      });
      expect(ms).toBeLessThan(SM_DEADLINE_MS + 500);
    } finally {
      proxy.pass();
    }
    expect((await read("secret")).status).toBe(200);
  });

  it("answers a write stalled after it was sent 504 outcome_unknown, audited once as such, and it lands once the stall ends", async () => {
    proxy.stallOn("secretsmanager.PutSecretValue");
    let requestId = "";
    try {
      const event = httpEvent({
        method: "PUT",
        path: "/api/v1/config/plain",
        query: ns,
        pathParams: { key: "plain" },
        body: JSON.stringify({ value: "sent-into-the-stall" }),
      });
      requestId = event.requestContext.requestId;
      const { result, ms } = await timed(() => invoke(update, ctx, event));
      expect(result.status, JSON.stringify(result.body)).toBe(504);
      expect(result.body.code).toBe("outcome_unknown");
      expect(ms).toBeLessThan(SM_DEADLINE_MS + 500);
    } finally {
      proxy.pass();
    }
    const records = await auditOf(requestId);
    expect(records.map((r) => [r.operation, r.success, r.error])).toEqual([["update", false, "outcome_unknown"]]);
    // The held request reaches Secrets Manager now: the outcome was indeed unknown, not a failure.
    await new Promise((r) => setTimeout(r, 300));
    const after = await invoke(
      get,
      ctx,
      httpEvent({
        path: "/api/v1/config/plain",
        query: ns,
        pathParams: { key: "plain" },
        headers: { "cache-control": "no-cache" },
      }),
    );
    expect(after.body).toMatchObject({ value: "sent-into-the-stall", version: 2 });
  });

  it("finds a write whose answer was lost done (one version, 200, one audit record)", async () => {
    proxy.loseAnswerTo("secretsmanager.PutSecretValue");
    const result = await put("secret", "answer-lost");
    expect(result.status, JSON.stringify(result.body)).toBe(200);
    expect(result.body.version).toBe(2);
    const again = await read("secret");
    expect(again.body).toMatchObject({ value: "answer-lost", version: 2 });
  });
});
