import { randomBytes } from "node:crypto";
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import type { VaultopsContext } from "@vaultops/core";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { createHandler as create } from "../../functions/config/create";
import { createHandler as remove } from "../../functions/config/delete";
import { createHandler as get } from "../../functions/config/get";
import { createHandler as status } from "../../functions/config/status";
import { createHandler as update } from "../../functions/config/update";
import { contextFor, httpEvent, invoke, registerSecret, secretValue, testEnv, vaultApi } from "../support/harness";

/** The config service of seed 002 through its real handlers, on real Vault, DynamoDB and moto. */
const services = () => inject("services");
let env: Record<string, string>;
let ctx: VaultopsContext;
let ns: { environment: string; service_name: string };

const q = (extra: Record<string, string> = {}) => ({ ...ns, ...extra });
const path = (key: string, suffix = "") => `/api/v1/config/${key}${suffix}`;
const call = (handler: Parameters<typeof invoke>[0], options: Parameters<typeof httpEvent>[0], context = ctx) =>
  invoke(handler, context, httpEvent(options));
const createConfig = (key: string, value: string, isEncrypted = false, context = ctx) =>
  call(
    create,
    { method: "POST", path: "/api/v1/config", body: JSON.stringify({ key, value, ...ns, is_encrypted: isEncrypted }) },
    context,
  );
const getConfig = (key: string, extra: Record<string, string> = {}, context = ctx) =>
  call(get, { path: path(key), query: q(extra), pathParams: { key } }, context);
const putConfig = (key: string, body: Record<string, unknown>, headers: Record<string, string> = {}, context = ctx) =>
  call(
    update,
    { method: "PUT", path: path(key), query: q(), pathParams: { key }, body: JSON.stringify(body), headers },
    context,
  );

async function tableItems(context = ctx): Promise<Record<string, unknown>[]> {
  const doc = await context.clients.documentClient();
  return (await doc.send(new ScanCommand({ TableName: context.settings.TABLE_NAME }))).Items ?? [];
}

beforeAll(async () => {
  env = await testEnv({ CACHE_GENERATION_CHECK_MS: "0" });
  ctx = contextFor(env);
  ns = { environment: "test", service_name: `svc-${randomBytes(4).toString("hex")}` };
});

describe("create and read", () => {
  it("creates a config at {mount}/data/{environment}/{service_name}/{key}, readable by any Vault client", async () => {
    const res = await createConfig("api_url", "https://example.com");
    expect(res.status).toBe(201);
    expect(res.headers.etag).toBe('"1"');
    expect(res.body).toMatchObject({
      id: 0,
      key: "api_url",
      value: "https://example.com",
      ...ns,
      is_encrypted: false,
      version: 1,
    });
    const { vaultAddr, vaultToken } = services();
    const raw = await vaultApi(vaultAddr, vaultToken, "GET", `secret/data/test/${ns.service_name}/api_url`);
    // updated_at is Vault's time of the version, in milliseconds; created_at was set just before the write.
    const vaultTime = (raw.json.data as { metadata: { created_time: string } }).metadata.created_time;
    expect(res.body.updated_at).toBe(new Date(vaultTime).toISOString());
    expect(Date.parse(res.body.updated_at as string) - Date.parse(res.body.created_at as string)).toBeLessThan(5_000);
    expect((raw.json.data as { data: Record<string, unknown> }).data).toMatchObject({
      value: "https://example.com",
      is_encrypted: false,
    });
  });

  it("refuses to create a config that exists (409) and leaves it unchanged", async () => {
    await createConfig("dup", "first");
    const again = await createConfig("dup", "second");
    expect(again.status).toBe(409);
    expect(again.body.error).toBe("Configuration already exists");
    expect((await getConfig("dup")).body.value).toBe("first");
  });

  it("serves a value written straight into Vault; without our flag it is treated as sensitive", async () => {
    const { vaultAddr, vaultToken } = services();
    await vaultApi(vaultAddr, vaultToken, "POST", `secret/data/test/${ns.service_name}/external`, {
      data: { value: "abc", is_encrypted: false },
    });
    await vaultApi(vaultAddr, vaultToken, "POST", `secret/data/test/${ns.service_name}/external_plain`, {
      data: { value: "xyz" },
    });
    const a = await getConfig("external");
    expect(a.body).toMatchObject({ value: "abc", is_encrypted: false, version: 1 });
    const b = await getConfig("external_plain");
    expect(b.body).toMatchObject({ value: "xyz", is_encrypted: true });
  });

  it("answers 404 for a config that does not exist", async () => {
    const res = await getConfig("missing");
    expect(res.status).toBe(404);
    expect(res.body.code).toBe("not_found");
  });

  it("serves repeat reads from the in-process tier and other containers from the shared tier", async () => {
    await createConfig("cached", "v1");
    const other = contextFor(env);
    const before = other.recorder.unflushed().values.get("cache|hit_shared") ?? 0;
    expect((await getConfig("cached", {}, other)).body.value).toBe("v1");
    expect(other.recorder.unflushed().values.get("cache|hit_shared")).toBe(before + 1);
    await getConfig("cached", {}, other);
    expect(other.recorder.unflushed().values.get("cache|hit_memory")).toBeGreaterThanOrEqual(1);
  });
});

describe("sensitive values", () => {
  it("reads them fresh from Vault every time and never writes them to DynamoDB", async () => {
    const secret = secretValue("s3cr3t");
    await createConfig("db_password", secret, true);
    const first = await getConfig("db_password");
    expect(first.body).toMatchObject({ value: secret, is_encrypted: true });
    const { vaultAddr, vaultToken } = services();
    await vaultApi(vaultAddr, vaultToken, "POST", `secret/data/test/${ns.service_name}/db_password`, {
      data: { value: `${secret}-rotated`, is_encrypted: true },
    });
    expect((await getConfig("db_password")).body.value).toBe(`${secret}-rotated`);
    expect(JSON.stringify(await tableItems())).not.toContain(secret);
  });

  it("switches either way: to non-sensitive (then cached), back to sensitive (cache entry removed)", async () => {
    for (const value of ["secret-one", "secret_api_key_456", "hidden-value-123"]) registerSecret(value);
    await createConfig("api_key", "secret-one", true);
    const open = await putConfig("api_key", { value: "public_api_key_123", is_encrypted: false });
    expect(open.body).toMatchObject({ is_encrypted: false, version: 2 });
    expect(JSON.stringify(await tableItems())).toContain("public_api_key_123");
    const closed = await putConfig("api_key", { value: "secret_api_key_456", is_encrypted: true });
    expect(closed.body).toMatchObject({ is_encrypted: true, version: 3 });
    const items = JSON.stringify(await tableItems());
    expect(items).not.toContain("public_api_key_123");
    expect(items).not.toContain("secret_api_key_456");
    expect((await getConfig("api_key")).body.value).toBe("secret_api_key_456");
  });
});

/* Versions, rollback and list pages run on both backends in config-backends.test.ts. */
describe("delete", () => {
  it("deletes (404 afterwards, cache invalidated), keeps the history, and allows a re-create", async () => {
    await createConfig("gone", "bye");
    await getConfig("gone");
    const deleted = await call(remove, {
      method: "DELETE",
      path: path("gone"),
      query: q(),
      pathParams: { key: "gone" },
    });
    expect(deleted.status).toBe(200);
    expect((await getConfig("gone")).status).toBe(404);
    const other = contextFor(env);
    expect((await getConfig("gone", {}, other)).status).toBe(404);
    const recreated = await createConfig("gone", "back");
    expect(recreated.status).toBe(201);
    expect(recreated.body.version).toBe(2);
  });
});

describe("optimistic concurrency", () => {
  it("answers a stale If-Match with 409 and overwrites nothing", async () => {
    await createConfig("cas", "one");
    await putConfig("cas", { value: "two" }, { "if-match": '"1"' });
    const stale = await putConfig("cas", { value: "stale" }, { "if-match": '"1"' });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe("version_conflict");
    const staleBody = await putConfig("cas", { value: "stale", expected_version: 1 });
    expect(staleBody.status).toBe(409);
    expect((await getConfig("cas")).body).toMatchObject({ value: "two", version: 2 });
  });

  it("lets exactly one of many concurrent writers win", async () => {
    await createConfig("race", "start");
    const writers = Array.from({ length: 6 }, () => contextFor(env));
    const results = await Promise.all(
      writers.map((w, i) => putConfig("race", { value: `writer-${i}` }, { "if-match": "1" }, w)),
    );
    const winners = results.filter((r) => r.status === 200);
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(5);
    // A fresh container reads the shared tier, which the winner updated.
    expect((await getConfig("race", {}, contextFor(env))).body).toMatchObject({
      value: winners[0]?.body.value,
      version: 2,
    });
  });
});

describe("bad input", () => {
  it.each([
    ["a path traversal in the key", { key: "..", value: "x" }, 400],
    ["a slash in the service", { key: "k", value: "x", service_name: "a/b" }, 400],
    ["a missing value", { key: "k" }, 400],
    ["a non-string value", { key: "k", value: 5 }, 400],
    ["a non-boolean is_encrypted", { key: "k", value: "x", is_encrypted: "yes" }, 400],
  ])("refuses %s with %i and a JSON error", async (_what, body, expected) => {
    const res = await call(create, {
      method: "POST",
      path: "/api/v1/config",
      body: JSON.stringify({ ...ns, ...body }),
    });
    expect(res.status).toBe(expected);
    expect(res.body.code).toBe("invalid_request");
    expect(typeof res.body.details).toBe("string");
  });

  it("refuses malformed JSON with 400, an oversized value with 413, a bad If-Match with 400", async () => {
    const malformed = await call(create, { method: "POST", path: "/api/v1/config", body: "{not json" });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toBe("Malformed JSON body");
    const big = await createConfig("big", "x".repeat(40_000));
    expect(big.status).toBe(413);
    const badIfMatch = await putConfig("cas", { value: "v" }, { "if-match": "abc" });
    expect(badIfMatch.status).toBe(400);
    expect((await getConfig("big")).status).toBe(404);
  });

  it("refuses a read without environment or service_name", async () => {
    const res = await call(get, { path: path("k"), query: { environment: "test" }, pathParams: { key: "k" } });
    expect(res.status).toBe(400);
    expect(String(res.body.details)).toMatch(/service_name/);
  });
});

describe("Vault unavailable", () => {
  it("answers 503 with seed 002's message, never 404", async () => {
    const down = contextFor({ ...env, VAULT_ADDR: "http://127.0.0.1:1", VAULT_DEADLINE_MS: "300" });
    const created = await createConfig("x", "y", false, down);
    expect(created.status).toBe(503);
    expect(created.body.error).toBe("Cannot create configuration: Vault is not available");
    const read = await getConfig("never-cached", {}, down);
    expect(read.status).toBe(503);
    const st = await call(status, { path: "/api/v1/config/status" }, down);
    expect(st.status).toBe(200);
    expect(st.body.vault_enabled).toBe(false);
  });

  it("reports vault_enabled, the KV version and the cache on /config/status", async () => {
    const st = await call(status, { path: "/api/v1/config/status" });
    expect(st.body).toMatchObject({
      vault_enabled: true,
      mount: { path: "secret", kv_version: 2 },
      cache: { sensitive_values_cached: false },
    });
  });
});

describe("events and audit", () => {
  it("publishes config.created|updated|deleted to EventBridge, never with a value", async () => {
    const endpoint = services().awsEndpoint;
    const aws = { region: "us-east-1", endpoint, credentials: { accessKeyId: "testing", secretAccessKey: "testing" } };
    const sqs = new SQSClient(aws);
    const events = new EventBridgeClient(aws);
    const name = `vaultops-events-${randomBytes(3).toString("hex")}`;
    const queue = await sqs.send(new CreateQueueCommand({ QueueName: name }));
    const arn = (
      await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.QueueUrl, AttributeNames: ["QueueArn"] }))
    ).Attributes?.QueueArn;
    const eventNs = { environment: "test", service_name: name };
    await events.send(
      new PutRuleCommand({
        Name: name,
        EventPattern: JSON.stringify({ source: ["vaultops.config"], detail: { service_name: [name] } }),
      }),
    );
    await events.send(new PutTargetsCommand({ Rule: name, Targets: [{ Id: "q", Arn: arn }] }));
    const live = contextFor({ ...env, EVENTS_ENABLED: "true" });
    const post = (key: string, value: string, enc: boolean) =>
      call(
        create,
        { method: "POST", path: "/api/v1/config", body: JSON.stringify({ key, value, ...eventNs, is_encrypted: enc }) },
        live,
      );
    await post("plain", "visible-value", false);
    await post("hidden", "hidden-value-123", true);
    await call(
      update,
      {
        method: "PUT",
        path: path("plain"),
        query: eventNs,
        pathParams: { key: "plain" },
        body: JSON.stringify({ value: "v2" }),
      },
      live,
    );
    await call(remove, { method: "DELETE", path: path("plain"), query: eventNs, pathParams: { key: "plain" } }, live);
    const received: Array<{ "detail-type": string; detail: Record<string, unknown> }> = [];
    for (let i = 0; i < 10 && received.length < 4; i++) {
      const out = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queue.QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      for (const m of out.Messages ?? []) received.push(JSON.parse(m.Body ?? "{}"));
    }
    const types = received.map((e) => `${e["detail-type"]}:${e.detail.key}`).sort();
    expect(types).toEqual([
      "config.created:hidden",
      "config.created:plain",
      "config.deleted:plain",
      "config.updated:plain",
    ]);
    // No value, plain or not (a plain value may be made sensitive later; an event cannot be recalled): its hash.
    expect(
      received.find((e) => e.detail.key === "plain" && e["detail-type"] === "config.created")?.detail,
    ).toMatchObject({ is_encrypted: false, value_sha256_prefix: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(JSON.stringify(received)).not.toContain("visible-value");
    expect(JSON.stringify(received)).not.toContain("hidden-value-123");
  });

  it("writes an audit record per change: who, what, when, the value's short hash", async () => {
    const auditCtx = contextFor(await testEnv());
    await call(
      create,
      { method: "POST", path: "/api/v1/config", body: JSON.stringify({ key: "audited", value: "v", ...ns }) },
      auditCtx,
    );
    const out = { Items: (await auditCtx.audit.query({ operation: "create" })).items };
    expect(out.Items).toHaveLength(1);
    expect(out.Items?.[0]).toMatchObject({
      operation: "create",
      path: `test/${ns.service_name}/audited`,
      actor: "test-admin",
      success: true,
      keyHash: "4c94485e0c21ae6c",
      sourceIp: "127.0.0.1",
      version: 1,
    });
  });
});
