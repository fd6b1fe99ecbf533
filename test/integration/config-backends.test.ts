import { randomBytes } from "node:crypto";
import {
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import type { VaultopsContext } from "@vaultops/core";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { createHandler as copy } from "../../functions/config/copy";
import { createHandler as create } from "../../functions/config/create";
import { createHandler as remove } from "../../functions/config/delete";
import { createHandler as get } from "../../functions/config/get";
import { createHandler as list } from "../../functions/config/list";
import { createHandler as rollback } from "../../functions/config/rollback";
import { createHandler as status } from "../../functions/config/status";
import { createHandler as update } from "../../functions/config/update";
import { createHandler as versions } from "../../functions/config/versions";
import { createHandler as healthCheckJob } from "../../functions/jobs/health-check";
import { createHandler as rotate } from "../../functions/rotation/rotate";
import { createHandler as snapshotCreate } from "../../functions/snapshots/create";
import { createHandler as snapshotRestore } from "../../functions/snapshots/restore";
import { createHandler as vaultStatus } from "../../functions/vault/status";
import { scheduledEvent } from "../support/events";
import { contextFor, createEvent, httpEvent, invoke, secretValue, testEnv, vaultApi } from "../support/harness";

/**
 * The configuration API once per backend, through the real handlers: OpenBao for Vault, moto for
 * Secrets Manager. One routing serves both: `sm-*` environments go to Secrets Manager.
 */
const services = () => inject("services");
const prefix = `vaultops-test-${randomBytes(3).toString("hex")}`;
let env: Record<string, string>;
let ctx: VaultopsContext;
let sm: SecretsManagerClient;

beforeAll(async () => {
  env = await testEnv({
    CACHE_GENERATION_CHECK_MS: "0",
    CONFIG_BACKENDS: "sm-*/*=aws,*/aws-svc=aws,*=vault",
    AWS_SECRETS_PREFIX: prefix,
  });
  ctx = contextFor(env);
  sm = new SecretsManagerClient({
    region: "us-east-1",
    endpoint: services().awsEndpoint,
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  });
});

/** POST /api/v1/config through the real handler. */
const createIn = (
  scope: { environment: string; service_name: string },
  key: string,
  value: string,
  isEncrypted = false,
) => invoke(create, ctx, createEvent({ key, value, is_encrypted: isEncrypted, ...scope }));

/** The backend's own client, beside vaultops: how another team reads and writes the same tree. */
interface OwnClient {
  read(path: string): Promise<unknown>;
  write(path: string, data: Record<string, unknown>): Promise<void>;
}
const clients: Record<"vault" | "aws", () => OwnClient> = {
  vault: () => ({
    read: async (path) => {
      const res = await vaultApi(services().vaultAddr, services().vaultToken, "GET", `secret/data/${path}`);
      return res.status === 404 ? undefined : (res.json.data as { data: unknown }).data;
    },
    write: async (path, data) => {
      await vaultApi(services().vaultAddr, services().vaultToken, "POST", `secret/data/${path}`, { data });
    },
  }),
  aws: () => ({
    read: async (path) => {
      const out = await sm.send(new GetSecretValueCommand({ SecretId: `${prefix}/${path}` }));
      return JSON.parse(out.SecretString ?? "null");
    },
    // The SDK's own ClientRequestToken (a random UUID), as any other client of Secrets Manager writes.
    write: async (path, data) => {
      await sm.send(new PutSecretValueCommand({ SecretId: `${prefix}/${path}`, SecretString: JSON.stringify(data) }));
    },
  }),
};

describe.each([
  ["vault", "OpenBao"],
  ["aws", "moto's Secrets Manager"],
] as const)("configuration API on %s (%s)", (backend, _server) => {
  const ns = {
    environment: backend === "aws" ? "sm-test" : "test",
    service_name: `svc-${randomBytes(3).toString("hex")}`,
  };
  const own = () => clients[backend]();
  const q = (extra: Record<string, string> = {}) => ({ ...ns, ...extra });
  const p = (key: string, suffix = "") => `/api/v1/config/${key}${suffix}`;
  const call = (
    handler: Parameters<typeof invoke>[0],
    options: Parameters<typeof httpEvent>[0],
    context: VaultopsContext = ctx,
  ) => invoke(handler, context, httpEvent(options));
  const createConfig = (key: string, value: string, isEncrypted = false, context = ctx) =>
    call(
      create,
      {
        method: "POST",
        path: "/api/v1/config",
        body: JSON.stringify({ key, value, ...ns, is_encrypted: isEncrypted }),
      },
      context,
    );
  const getConfig = (
    key: string,
    extra: Record<string, string> = {},
    context = ctx,
    headers: Record<string, string> = {},
  ) => call(get, { path: p(key), query: q(extra), pathParams: { key }, headers }, context);
  const putConfig = (key: string, body: Record<string, unknown>, headers: Record<string, string> = {}, context = ctx) =>
    call(
      update,
      { method: "PUT", path: p(key), query: q(), pathParams: { key }, body: JSON.stringify(body), headers },
      context,
    );
  const cacheItems = async () => {
    const doc = await ctx.clients.documentClient();
    const items = (await doc.send(new ScanCommand({ TableName: ctx.settings.TABLE_NAME }))).Items ?? [];
    const keyPrefix = backend === "aws" ? "config@aws:" : "config:";
    return items.filter((i) => String(i.sk).startsWith(`${keyPrefix}${ns.environment}/${ns.service_name}/`));
  };

  it("creates version 1 in the same JSON shape as on the other backend, readable by the backend's own client", async () => {
    const res = await createConfig("api_url", "https://example.com");
    expect(res.status).toBe(201);
    expect(res.headers.etag).toBe('"1"');
    expect(res.body).toMatchObject({ key: "api_url", value: "https://example.com", version: 1, is_encrypted: false });
    expect(await own().read(`${ns.environment}/${ns.service_name}/api_url`)).toEqual({
      value: "https://example.com",
      is_encrypted: false,
      created_at: res.body.created_at,
    });
    const again = await createConfig("api_url", "other");
    expect(again.status).toBe(409);
    expect((await getConfig("api_url")).body.value).toBe("https://example.com");
  });

  it("updates, reads ?version=N, lists the history and rolls back", async () => {
    await createConfig("feature", "off");
    const updated = await putConfig("feature", { value: "on" }, { "If-Match": '"1"' });
    expect(updated.status).toBe(200);
    expect(updated.headers.etag).toBe('"2"');
    expect((await getConfig("feature", { version: "1" })).body).toMatchObject({ value: "off", version: 1 });
    const history = await call(versions, {
      path: p("feature", "/versions"),
      query: q(),
      pathParams: { key: "feature" },
    });
    expect(history.body.current_version).toBe(2);
    expect((history.body.versions as Array<{ version: number }>).map((v) => v.version)).toEqual([2, 1]);
    const rolled = await call(rollback, {
      method: "POST",
      path: p("feature", "/rollback"),
      query: q(),
      pathParams: { key: "feature" },
      body: JSON.stringify({ version: 1 }),
    });
    expect(rolled.body).toMatchObject({ value: "off", version: 3 });
    expect((await getConfig("feature")).body).toMatchObject({ value: "off", version: 3 });
    expect((await getConfig("feature", { version: "9" })).status).toBe(404);
  });

  it("lists one page at a time", async () => {
    for (const key of ["list-a", "list-b", "list-c"]) await createConfig(key, key);
    const page = await call(list, { path: "/api/v1/config", query: q({ limit: "2", offset: "0" }) });
    expect(page.status).toBe(200);
    const keys = (page.body.items as Array<{ key: string }>).map((i) => i.key);
    expect(keys).toHaveLength(2);
    expect(page.body.has_more).toBe(true);
    const all = await call(list, { path: "/api/v1/config", query: q({ limit: "500" }) });
    expect((all.body.items as Array<{ key: string }>).map((i) => i.key)).toEqual(
      expect.arrayContaining(["list-a", "list-b", "list-c"]),
    );
  });

  it("caches plain values under the backend's own cache keys and never a sensitive one", async () => {
    const secret = secretValue("backend-secret");
    await createConfig("plain", "cached-value");
    await createConfig("secret", secret, true);
    await getConfig("plain");
    await getConfig("secret");
    const items = await cacheItems();
    expect(items.some((i) => String(i.sk).endsWith("/plain") && String(i.value).includes("cached-value"))).toBe(true);
    expect(JSON.stringify(items)).not.toContain(secret);
    const other = contextFor(env);
    const shared = await getConfig("plain", {}, other);
    expect(shared.body.value).toBe("cached-value");
  });

  it("check-and-set holds: of two writers of the same version, one gets 200 and one 409", async () => {
    for (let round = 0; round < 5; round++) {
      const key = `race-${round}`;
      await createConfig(key, "start");
      const [a, b] = await Promise.all([
        putConfig(key, { value: "writer-a" }, { "if-match": '"1"' }, contextFor(env)),
        putConfig(key, { value: "writer-b" }, { "if-match": '"1"' }, contextFor(env)),
      ]);
      expect([a?.status, b?.status].sort()).toEqual([200, 409]);
      const winner = a?.status === 200 ? a : b;
      expect((await getConfig(key, {}, contextFor(env))).body).toMatchObject({
        value: winner?.body.value,
        version: 2,
      });
    }
  });

  it("yields to another client's write: no-cache reads it, a stale If-Match is 409, its shape is kept apart", async () => {
    await createConfig("shared", "ours");
    await getConfig("shared");
    const path = `${ns.environment}/${ns.service_name}/shared`;
    await own().write(path, { value: "theirs", is_encrypted: false, created_at: new Date().toISOString() });
    const fresh = await getConfig("shared", {}, ctx, { "cache-control": "no-cache" });
    expect(fresh.body).toMatchObject({ value: "theirs", version: 2 });
    const stale = await putConfig("shared", { value: "mine" }, { "if-match": '"1"' });
    expect(stale.status).toBe(409);
    // Their own shape: served as a sensitive JSON document, replaced only on request.
    await own().write(path, { username: "app", password: "their-own-shape" });
    const foreign = await getConfig("shared", {}, ctx, { "cache-control": "no-cache" });
    expect(foreign.body).toMatchObject({ version: 3, is_encrypted: true });
    expect((await putConfig("shared", { value: "mine" })).body.code).toBe("foreign_shape");
  });

  it("deletes (404 afterwards, for every container), keeps the history, and re-creates after it", async () => {
    await createConfig("gone", "bye");
    await getConfig("gone");
    const deleted = await call(remove, { method: "DELETE", path: p("gone"), query: q(), pathParams: { key: "gone" } });
    expect(deleted.status).toBe(200);
    expect((await getConfig("gone")).status).toBe(404);
    expect((await getConfig("gone", {}, contextFor(env))).status).toBe(404);
    const again = await createConfig("gone", "back");
    expect(again.status).toBe(201);
    expect(again.body.version).toBe(2);
    expect((await getConfig("gone")).body.value).toBe("back");
  });

  it("rotates a secret: a new version, never the value in the answer, and sensitive from then on", async () => {
    await createConfig("rotated", "initial-password");
    const res = await call(rotate, {
      method: "POST",
      path: p("rotated", "/rotate"),
      query: q(),
      pathParams: { key: "rotated" },
    });
    expect(res.status).toBe(200);
    expect(res.text).not.toContain("initial-password");
    const after = await getConfig("rotated");
    expect(after.body).toMatchObject({ version: 2, is_encrypted: true });
    expect(after.body.value).not.toBe("initial-password");
  });

  it("audits every change with the value's short hash, never the value", async () => {
    const value = secretValue("audited");
    await createConfig("audited", value, true);
    const { items } = await ctx.audit.query({ path: `${ns.environment}/${ns.service_name}/audited` });
    expect(items.map((i) => i.operation)).toContain("create");
    expect(JSON.stringify(items)).not.toContain(value);
  });

  it("answers 503 naming the backend when it is unreachable, never 404", async () => {
    const down =
      backend === "aws"
        ? contextFor({ ...env, AWS_ENDPOINT_URL: "http://127.0.0.1:1", VAULT_DEADLINE_MS: "2000" })
        : contextFor({ ...env, VAULT_ADDR: "http://127.0.0.1:1", VAULT_DEADLINE_MS: "300" });
    const created = await createConfig("unreachable", "x", false, down);
    expect(created.status).toBe(503);
    expect(created.body.error).toBe(
      `Cannot create configuration: ${backend === "aws" ? "Secrets Manager" : "Vault"} is not available`,
    );
    expect((await getConfig("never-cached", {}, down)).status).toBe(503);
  });
});

describe("Secrets Manager specifics", () => {
  const ns = { environment: "sm-prod", service_name: `svc-${randomBytes(3).toString("hex")}` };

  it("names each version by its number, so the backend's own console shows which is which", async () => {
    await createIn(ns, "named", "one");
    const ids = await sm.send(
      new ListSecretVersionIdsCommand({ SecretId: `${prefix}/${ns.environment}/${ns.service_name}/named` }),
    );
    expect(ids.Versions?.map((v) => v.VersionId)).toEqual([
      expect.stringMatching(/^vaultops-v0000000001-[0-9a-f]{16}$/),
    ]);
  });

  it("shows the routing and each backend's health on both status routes; the health job checks both", async () => {
    const config = await invoke(status, ctx, httpEvent({ path: "/api/v1/config/status" }));
    expect(config.body.routing).toEqual([
      { pattern: "sm-*/*", backend: "aws" },
      { pattern: "*/aws-svc", backend: "aws" },
      { pattern: "*", backend: "vault" },
    ]);
    const states = Object.fromEntries(
      (config.body.backends as Array<{ backend: string; status: string }>).map((b) => [b.backend, b.status]),
    );
    expect(states).toEqual({ vault: "healthy", aws: "healthy" });
    const overall = await invoke(vaultStatus, ctx, httpEvent({ path: "/api/v1/vault/status" }));
    expect((overall.body.config_backends as { backends: unknown[] }).backends).toHaveLength(2);
    const job = await healthCheckJob(() => ctx)(scheduledEvent() as never);
    expect(job).toMatchObject({ backends: { aws: "healthy" } });
    const down = contextFor({ ...env, AWS_ENDPOINT_URL: "http://127.0.0.1:1" });
    const downStatus = await invoke(status, down, httpEvent({ path: "/api/v1/config/status" }));
    expect(downStatus.body.backends).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ backend: "aws", status: "unavailable", error: "Secrets Manager is not available" }),
      ]),
    );
  });

  it("labels Prometheus figures with the backend", async () => {
    const { createHandler: metrics } = await import("../../functions/vault/metrics");
    await createIn(ns, "prom", "v");
    await ctx.recorder.flush();
    const text = (
      await invoke(metrics, ctx, httpEvent({ path: "/api/v1/vault/metrics", query: { format: "prometheus" } }))
    ).text;
    expect(text).toMatch(/^vaultops_key_backend_up\{backend="aws"\} 1$/m);
    expect(text).toMatch(
      /^vaultops_key_operations_total\{operation="create_secret",backend="aws",status="success"\} [1-9]/m,
    );
  });
});

describe("a snapshot covers both backends", () => {
  it("exports each backend's tree and restores each path into the backend it came from", async () => {
    // One environment of its own, so that the snapshot (and its restore) touch nothing of other tests.
    const environment = `snap-${randomBytes(3).toString("hex")}`;
    const vaultNs = { environment, service_name: "vault-svc" };
    const awsNs = { environment, service_name: "aws-svc" };
    for (const scope of [vaultNs, awsNs]) await createIn(scope, "k", `in-${scope.service_name}`);
    const made = await invoke(
      snapshotCreate,
      ctx,
      httpEvent({
        method: "POST",
        path: "/api/v1/vault/snapshots",
        body: JSON.stringify({ type: "full", prefix: `${environment}/` }),
      }),
    );
    expect(made.status).toBe(201);
    expect(made.body.path_count).toBe(2);
    const id = made.body.id as string;
    for (const scope of [vaultNs, awsNs])
      await invoke(
        remove,
        ctx,
        httpEvent({ method: "DELETE", path: "/api/v1/config/k", query: scope, pathParams: { key: "k" } }),
      );
    const restored = await invoke(
      snapshotRestore,
      ctx,
      httpEvent({
        method: "POST",
        path: `/api/v1/vault/snapshots/${id}/restore`,
        query: { dry_run: "false" },
        pathParams: { id },
      }),
    );
    expect(restored.status).toBe(200);
    expect(restored.body.items).toEqual([
      expect.objectContaining({ path: `${environment}/vault-svc/k`, outcome: "created" }),
      expect.objectContaining({ path: `${environment}/aws-svc/k`, backend: "aws", outcome: "created" }),
    ]);
    for (const scope of [vaultNs, awsNs]) {
      const read = await invoke(
        get,
        ctx,
        httpEvent({ path: "/api/v1/config/k", query: scope, pathParams: { key: "k" } }),
      );
      expect(read.body.value).toBe(`in-${scope.service_name}`);
    }
  });
});

describe("copy between backends", () => {
  const copyCall = (input: Record<string, unknown>) =>
    invoke(copy, ctx, httpEvent({ method: "POST", path: "/api/v1/config/copy", body: JSON.stringify(input) }));

  it("plans, copies with check-and-set keeping sensitivity, and a rerun is a no-op; both ways", async () => {
    const scope = { environment: "test", service_name: `copy-${randomBytes(3).toString("hex")}` };
    const secret = secretValue("copied");
    for (const [key, value, sensitive] of [
      ["host", "db.internal", false],
      ["password", secret, true],
    ] as const)
      await createIn(scope, key, value, sensitive);

    const plan = await copyCall({ ...scope, from: "vault", to: "aws" });
    expect(plan.status).toBe(200);
    expect(plan.text).not.toContain(secret);
    expect(plan.body).toMatchObject({ dry_run: true, routed_to: "vault", summary: { create: 2, unchanged: 0 } });
    const expected = Object.fromEntries(
      (plan.body.items as Array<{ key: string; target_version: number }>).map((i) => [i.key, i.target_version]),
    );
    const done = await copyCall({ ...scope, from: "vault", to: "aws", dry_run: false, expected });
    expect(done.body.summary).toMatchObject({ create: 2, conflicts: 0, failed: 0 });
    expect(done.text).not.toContain(secret);
    const copied = await clients.aws().read(`${scope.environment}/${scope.service_name}/password`);
    expect(copied).toMatchObject({ value: secret, is_encrypted: true });

    const rerun = await copyCall({ ...scope, from: "vault", to: "aws", dry_run: false });
    expect(rerun.body.summary).toMatchObject({ create: 0, update: 0, unchanged: 2 });

    // A plan is written against exactly what it saw: a key changed since is a conflict.
    await clients.aws().write(`${scope.environment}/${scope.service_name}/host`, {
      value: "moved",
      is_encrypted: false,
      created_at: "2020-01-01T00:00:00.000Z",
    });
    const stale = await copyCall({
      ...scope,
      from: "vault",
      to: "aws",
      dry_run: false,
      overwrite: true,
      expected: { host: 1 },
    });
    expect((stale.body.items as Array<{ key: string; outcome: string }>).find((i) => i.key === "host")?.outcome).toBe(
      "conflict",
    );

    // And back: Secrets Manager to Vault, into a service that does not exist there yet.
    const back = { environment: "sm-copy", service_name: scope.service_name };
    await createIn(back, "only-in-aws", secret, true);
    const toVault = await copyCall({ ...back, from: "aws", to: "vault", dry_run: false });
    expect(toVault.body).toMatchObject({ routed_to: "aws", summary: { create: 1 } });
    expect(await clients.vault().read(`sm-copy/${scope.service_name}/only-in-aws`)).toMatchObject({
      value: secret,
      is_encrypted: true,
    });
    expect((await copyCall({ ...back, from: "aws", to: "vault" })).body.summary).toMatchObject({
      unchanged: 1,
      create: 0,
    });
  });

  it("refuses a copy to the same backend (400), or to a backend that is not set up (404)", async () => {
    const same = await copyCall({ environment: "test", service_name: "x", from: "vault", to: "vault" });
    expect(same.status).toBe(400);
    expect(same.body.details).toBe("from and to are both vault: copy between two backends");
    const vaultOnly = contextFor(await testEnv());
    const res = await invoke(
      copy,
      vaultOnly,
      httpEvent({
        method: "POST",
        path: "/api/v1/config/copy",
        body: JSON.stringify({ environment: "test", service_name: "x", from: "vault", to: "aws" }),
      }),
    );
    expect(res.status).toBe(404);
    expect(res.body.error).toBe("The aws backend is not set up");
    expect(res.body.code).toBe("backend_not_configured");
    expect((await copyCall({ environment: "test", service_name: "x", from: "gcp", to: "vault" })).status).toBe(400);
  });
});
