import { randomBytes } from "node:crypto";
import { PutSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { DomainEvent, VaultopsContext } from "@vaultops/core";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { createHandler as create } from "../../functions/config/create";
import { createHandler as remove } from "../../functions/config/delete";
import { createHandler as get } from "../../functions/config/get";
import { createHandler as list } from "../../functions/config/list";
import { createHandler as rollback } from "../../functions/config/rollback";
import { createHandler as update } from "../../functions/config/update";
import { createHandler as versions } from "../../functions/config/versions";
import { createHandler as rotate } from "../../functions/rotation/rotate";
import { contextFor, createEvent, httpEvent, invoke, registerSecret, testEnv, vaultApi } from "../support/harness";

/**
 * A key is sensitive from the moment any version of it is (issue: old plain versions of a value made
 * sensitive were readable without secrets:read): its older plain versions, their history and a
 * rollback to them need secrets:read; only an admin makes it plain again; events never carry a value.
 * Once per backend, through the real handlers and the token scopes of the authorizer's context.
 */
const services = () => inject("services");
const prefix = `vaultops-sens-${randomBytes(3).toString("hex")}`;
let ctx: VaultopsContext;
const events: DomainEvent[] = [];

const readToken = { name: "reader", scopes: "config:read" };
const secretsToken = { name: "app", scopes: "config:read secrets:read" };
const writeToken = { name: "deployer", scopes: "config:read config:write" };
const adminToken = { name: "ops", scopes: "admin monitor config:read secrets:read config:write" };

beforeAll(async () => {
  const env = await testEnv({
    CACHE_GENERATION_CHECK_MS: "0",
    CONFIG_BACKENDS: "sens-aws/*=aws,*=vault",
    AWS_SECRETS_PREFIX: prefix,
  });
  ctx = contextFor(env, { events: { publish: async (e) => void events.push(e) } });
  // Loads the Secrets Manager adapter and SDK (transpiled on the fly here) outside the first test's deadline.
  await ctx.backends.byName("aws").check?.();
});

describe.each(["vault", "aws"] as const)("sensitivity on %s", (backend) => {
  const ns = {
    environment: backend === "aws" ? "sens-aws" : "sens",
    service_name: `svc-${randomBytes(3).toString("hex")}`,
  };
  const at = (key: string, query: Record<string, string> = {}) => ({
    path: `/api/v1/config/${key}`,
    query: { ...ns, ...query },
    pathParams: { key },
  });
  const read = (key: string, principal: { name: string; scopes: string }, query: Record<string, string> = {}) =>
    invoke(get, ctx, httpEvent({ ...at(key, query), principal }));
  const put = (key: string, body: Record<string, unknown>, principal = writeToken) =>
    invoke(update, ctx, httpEvent({ ...at(key), method: "PUT", body: JSON.stringify(body), principal }));
  const back = (key: string, body: Record<string, unknown>, principal = writeToken) =>
    invoke(
      rollback,
      ctx,
      httpEvent({
        ...at(key),
        path: `/api/v1/config/${key}/rollback`,
        method: "POST",
        body: JSON.stringify(body),
        principal,
      }),
    );
  const history = (key: string, principal: { name: string; scopes: string }) =>
    invoke(versions, ctx, httpEvent({ ...at(key), path: `/api/v1/config/${key}/versions`, principal }));
  const newKey = async (key: string, value: string) => {
    const created = await invoke(create, ctx, createEvent({ key, value, ...ns }, writeToken));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
  };

  it("guards the plain versions before a PUT made the key sensitive: a versioned read and the history need secrets:read", async () => {
    await newKey("k", "was-plain");
    registerSecret("was-plain");
    expect((await put("k", { value: "now-secret-1", is_encrypted: true })).status).toBe(200);
    registerSecret("now-secret-1");
    const old = await read("k", readToken, { version: "1" });
    expect(old.status).toBe(403);
    expect(old.body.code).toBe("secrets_scope_required");
    expect(JSON.stringify(old.body)).not.toContain("was-plain");
    expect((await read("k", secretsToken, { version: "1" })).body).toMatchObject({
      value: "was-plain",
      is_encrypted: true,
    });
    expect((await history("k", readToken)).status).toBe(403);
    expect((await history("k", secretsToken)).status).toBe(200);
  });

  it("guards the pre-rotation value of a key a rotation made sensitive", async () => {
    await newKey("rot", "before-rotation");
    registerSecret("before-rotation");
    const rotated = await invoke(
      rotate,
      ctx,
      httpEvent({ ...at("rot"), path: "/api/v1/config/rot/rotate", method: "POST", principal: adminToken }),
    );
    expect(rotated.status, JSON.stringify(rotated.body)).toBe(200);
    expect(rotated.body.made_sensitive).toBe(true);
    expect((await read("rot", readToken, { version: "1" })).status).toBe(403);
  });

  it("keeps a rollback to a plain version sensitive, unless an admin says otherwise", async () => {
    await newKey("rb", "plain-v1");
    expect((await put("rb", { value: "secret-v2", is_encrypted: true })).status).toBe(200);
    registerSecret("secret-v2");
    const restored = await back("rb", { version: 1 });
    expect(restored.status, JSON.stringify(restored.body)).toBe(200);
    expect(restored.body).toMatchObject({ version: 3, is_encrypted: true, value: null });
    expect((await read("rb", readToken)).status).toBe(403);
    // Only an admin makes it plain again, explicitly: then the old plain versions are readable again.
    const refused = await back("rb", { version: 1, is_encrypted: false });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatch(/admin/);
    const plain = await back("rb", { version: 1, is_encrypted: false }, adminToken);
    expect(plain.status, JSON.stringify(plain.body)).toBe(200);
    expect(plain.body).toMatchObject({ version: 4, is_encrypted: false, value: "plain-v1" });
    expect((await read("rb", readToken)).body).toMatchObject({ value: "plain-v1", is_encrypted: false });
    expect((await read("rb", readToken, { version: "1" })).status).toBe(200);
    // The sensitive version itself stays sensitive by its own data.
    expect((await read("rb", readToken, { version: "2" })).status).toBe(403);
  });

  it("refuses a PUT that makes a sensitive key plain to anyone but an admin, and keeps it sensitive by default", async () => {
    await newKey("pw", "plain-start");
    expect((await put("pw", { value: "secret-1", is_encrypted: true })).status).toBe(200);
    registerSecret("secret-1");
    expect((await put("pw", { value: "secret-2" })).body).toMatchObject({ is_encrypted: true, value: null });
    registerSecret("secret-2");
    expect((await put("pw", { value: "x", is_encrypted: false })).status).toBe(403);
    expect((await put("pw", { value: "public-now", is_encrypted: false }, adminToken)).body).toMatchObject({
      is_encrypted: false,
      value: "public-now",
    });
  });

  it("keeps a key that was sensitive sensitive when it is re-created after a delete", async () => {
    await newKey("again", "plain-first");
    expect((await put("again", { value: "secret-x", is_encrypted: true })).status).toBe(200);
    registerSecret("secret-x");
    expect(
      (await invoke(remove, ctx, httpEvent({ ...at("again"), method: "DELETE", principal: writeToken }))).status,
    ).toBe(200);
    const recreated = await invoke(create, ctx, createEvent({ key: "again", value: "new-life", ...ns }, writeToken));
    expect(recreated.status, JSON.stringify(recreated.body)).toBe(201);
    expect(recreated.body.is_encrypted).toBe(true);
    registerSecret("new-life");
    const explicit = await invoke(create, ctx, createEvent({ key: "again2", value: "v", ...ns }, writeToken));
    expect(explicit.status).toBe(201);
    expect((await read("again", readToken, { version: "1" })).status).toBe(403);
  });

  it("treats a plain version another client wrote over a sensitive key as sensitive", async () => {
    await newKey("foreign", "plain-at-first");
    expect((await put("foreign", { value: "secret-f", is_encrypted: true })).status).toBe(200);
    registerSecret("secret-f");
    const data = { value: "written-plain-elsewhere", is_encrypted: false };
    const path = `${ns.environment}/${ns.service_name}/foreign`;
    if (backend === "vault") {
      await vaultApi(services().vaultAddr, services().vaultToken, "POST", `secret/data/${path}`, { data });
    } else {
      const sm = new SecretsManagerClient({
        region: "us-east-1",
        endpoint: services().awsEndpoint,
        credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
      });
      await sm.send(new PutSecretValueCommand({ SecretId: `${prefix}/${path}`, SecretString: JSON.stringify(data) }));
    }
    registerSecret("written-plain-elsewhere");
    const current = await invoke(
      get,
      ctx,
      httpEvent({ ...at("foreign"), headers: { "cache-control": "no-cache" }, principal: readToken }),
    );
    expect(current.status).toBe(403);
    const listed = await invoke(list, ctx, httpEvent({ path: "/api/v1/config", query: ns, principal: readToken }));
    const item = (listed.body.items as Array<{ key: string; value: string | null; is_encrypted: boolean }>).find(
      (i) => i.key === "foreign",
    );
    expect(item).toMatchObject({ value: null, is_encrypted: true });
  });

  it("publishes no value in any event, plain or sensitive", () => {
    const mine = events.filter(
      (e) => e.detail.environment === ns.environment && e.detail.service_name === ns.service_name,
    );
    expect(mine.length).toBeGreaterThan(5);
    for (const e of mine) {
      expect(e.detail.value, e.type).toBeUndefined();
      expect(String(e.detail.value_sha256_prefix ?? "")).toMatch(/^([0-9a-f]{16})?$/);
    }
  });
});
