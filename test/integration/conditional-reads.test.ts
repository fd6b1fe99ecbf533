import { randomBytes } from "node:crypto";
import { parseIfNoneMatch, type VaultopsContext } from "@vaultops/core";
import { beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { createHandler as create } from "../../functions/config/create";
import { createHandler as get } from "../../functions/config/get";
import { createHandler as update } from "../../functions/config/update";
import { contextFor, createEvent, httpEvent, invoke, secretValue, testEnv, vaultApi } from "../support/harness";

/**
 * Conditional reads (issue 22): `GET /api/v1/config/{key}` with `If-None-Match` naming the version the
 * read would serve answers 304 Not Modified (the ETag, no body) after the same read path and the same
 * refusals as the GET; it is audited as a `revalidate` of that version and counted apart from reads
 * (the `Revalidations` EMF figure).
 */
const services = () => inject("services");
let ctx: VaultopsContext;
const emf: string[] = [];
const ns = { environment: "cond", service_name: `svc-${randomBytes(4).toString("hex")}` };

const readToken = { name: "reader", scopes: "config:read" };
const secretsToken = { name: "app", scopes: "config:read secrets:read" };
const writeToken = { name: "deployer", scopes: "config:read config:write" };

const at = (key: string, query: Record<string, string> = {}) => ({
  path: `/api/v1/config/${key}`,
  query: { ...ns, ...query },
  pathParams: { key },
});
const read = (
  key: string,
  headers: Record<string, string> = {},
  options: { principal?: { name: string; scopes: string }; query?: Record<string, string> } = {},
) => invoke(get, ctx, httpEvent({ ...at(key, options.query), headers, principal: options.principal ?? readToken }));
const createConfig = async (key: string, value: string, isEncrypted = false) => {
  const created = await invoke(create, ctx, createEvent({ key, value, ...ns, is_encrypted: isEncrypted }, writeToken));
  expect(created.status, JSON.stringify(created.body)).toBe(201);
};
const putConfig = (key: string, body: Record<string, unknown>) =>
  invoke(update, ctx, httpEvent({ ...at(key), method: "PUT", body: JSON.stringify(body), principal: writeToken }));
/** Another Vault client writing the same tree (hvac, the bao CLI, Terraform). */
const vaultWrite = (key: string, data: Record<string, unknown>) =>
  vaultApi(
    services().vaultAddr,
    services().vaultToken,
    "POST",
    `secret/data/${ns.environment}/${ns.service_name}/${key}`,
    { data },
  );

/** The Revalidations and Reads of this test's scope since the last call. */
function figures(): { revalidations: number; reads: number } {
  ctx.accessMetrics.flush();
  const lines = emf.splice(0).map((l) => JSON.parse(l) as Record<string, unknown>);
  const mine = lines.filter((l) => l.Service === ns.service_name);
  return {
    revalidations: mine.reduce((n, l) => n + Number(l.Revalidations ?? 0), 0),
    reads: mine.reduce((n, l) => n + Number(l.Reads ?? 0), 0),
  };
}

beforeAll(async () => {
  const env = await testEnv({ CACHE_GENERATION_CHECK_MS: "0", EMF_ENABLED: "true" });
  ctx = contextFor(env, { emf: (line) => emf.push(line) });
});
beforeEach(() => {
  ctx.accessMetrics.flush();
  emf.length = 0;
});

describe("If-None-Match on GET /api/v1/config/{key}", () => {
  it("answers 304 with the ETag and no body while the version is current, 200 with the record once it is not", async () => {
    await createConfig("db", "one");
    const first = await read("db");
    expect(first.status).toBe(200);
    expect(first.headers.etag).toBe('"1"');
    const same = await read("db", { "If-None-Match": '"1"' });
    expect(same.status).toBe(304);
    expect(same.text).toBe("");
    expect(same.headers.etag).toBe('"1"');
    expect(same.headers["cache-control"]).toBe(first.headers["cache-control"]);
    expect(same.headers["content-type"]).toBeUndefined();
    expect((await putConfig("db", { value: "two" })).status).toBe(200);
    const newer = await read("db", { "If-None-Match": '"1"' });
    expect(newer.status).toBe(200);
    expect(newer.headers.etag).toBe('"2"');
    expect(newer.body).toMatchObject({ value: "two", version: 2 });
    expect((await read("db", { "If-None-Match": '"2"' })).status).toBe(304);
  });

  it("follows another client's write to Vault within the read path's bounds: at once with no-cache", async () => {
    await createConfig("theirs", "ours");
    expect((await read("theirs")).headers.etag).toBe('"1"');
    await vaultWrite("theirs", { value: "theirs", is_encrypted: false });
    // The plain GET still serves version 1 from the cache (within its staleness bound): so does the 304.
    expect((await read("theirs")).body).toMatchObject({ value: "ours", version: 1 });
    const conditional = await read("theirs", { "If-None-Match": '"1"' });
    expect(conditional.status).toBe(304);
    // Cache-Control: no-cache reads Vault, as the GET would: version 2 is not the client's.
    const fresh = await read("theirs", { "If-None-Match": '"1"', "Cache-Control": "no-cache" });
    expect(fresh.status).toBe(200);
    expect(fresh.body).toMatchObject({ value: "theirs", version: 2 });
    expect(fresh.headers.etag).toBe('"2"');
    expect((await read("theirs", { "If-None-Match": '"2"' })).status).toBe(304);
  });

  it("reads a sensitive key from Vault every time: another client's write is a 200 at once", async () => {
    const v1 = secretValue("cond");
    await createConfig("secret", v1, true);
    expect((await read("secret", { "If-None-Match": '"1"' }, { principal: secretsToken })).status).toBe(304);
    const v2 = secretValue("cond");
    await vaultWrite("secret", { value: v2, is_encrypted: true });
    const changed = await read("secret", { "If-None-Match": '"1"' }, { principal: secretsToken });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ value: v2, version: 2 });
  });

  it("accepts weak ETags, lists and *", async () => {
    await createConfig("forms", "x");
    expect((await read("forms", { "If-None-Match": 'W/"1"' })).status).toBe(304);
    expect((await read("forms", { "If-None-Match": '"7", "1"' })).status).toBe(304);
    expect((await read("forms", { "If-None-Match": '"7",W/"1"' })).status).toBe(304);
    expect((await read("forms", { "If-None-Match": "*" })).status).toBe(304);
    const other = await read("forms", { "If-None-Match": '"2", "3"' });
    expect(other.status).toBe(200);
    expect(other.body.value).toBe("x");
    // `*` matches an existing version only: a missing key is the GET's 404.
    const missing = await read("nope", { "If-None-Match": "*" });
    expect(missing.status).toBe(404);
  });

  it("applies to ?version=N: 304 when N is named and exists, 404 as the GET when it does not", async () => {
    await createConfig("hist", "v1");
    expect((await putConfig("hist", { value: "v2" })).status).toBe(200);
    expect((await read("hist", { "If-None-Match": '"1"' }, { query: { version: "1" } })).status).toBe(304);
    const older = await read("hist", { "If-None-Match": '"2"' }, { query: { version: "1" } });
    expect(older.status).toBe(200);
    expect(older.body).toMatchObject({ value: "v1", version: 1 });
    expect((await read("hist", { "If-None-Match": '"9"' }, { query: { version: "9" } })).status).toBe(404);
  });

  it("refuses a malformed header with 400 invalid_request, as If-Match", async () => {
    await createConfig("bad", "x");
    for (const header of ["", "abc", '"1",', '"1", *', 'W/"x"', "1 2", ","]) {
      const res = await read("bad", { "If-None-Match": header });
      expect(res.status, header).toBe(400);
      expect(res.body.code, header).toBe("invalid_request");
      expect(res.headers["content-type"]).toBe("application/json");
    }
    expect(parseIfNoneMatch(' W/"3" , "4" ')).toEqual([3, 4]);
    expect(parseIfNoneMatch(" * ")).toBe("*");
    expect(parseIfNoneMatch(undefined)).toBeUndefined();
  });

  it("keeps the GET's rights: a sensitive key's 304 needs secrets:read; paths and scopes as the GET", async () => {
    const value = secretValue("cond");
    await createConfig("token", value, true);
    const refused = await read("token", { "If-None-Match": '"1"' });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe("secrets_scope_required");
    expect(refused.text).not.toContain(value);
    expect((await read("token", { "If-None-Match": "*" })).status).toBe(403);
    expect((await read("token", { "If-None-Match": '"1"' }, { principal: secretsToken })).status).toBe(304);
    const noScope = await read("token", { "If-None-Match": '"1"' }, { principal: { name: "mon", scopes: "monitor" } });
    expect(noScope.status).toBe(403);
    const unauthenticated = await invoke(
      get,
      ctx,
      httpEvent({ ...at("token"), headers: { "If-None-Match": '"1"' }, principal: null }),
    );
    expect(unauthenticated.status).toBe(401);
  });

  it("audits a 304 as a revalidate of that version and counts it apart from reads", async () => {
    await createConfig("audited", "x");
    expect((await read("audited")).status).toBe(200);
    expect(figures()).toEqual({ revalidations: 0, reads: 1 });
    expect((await read("audited", { "If-None-Match": '"1"' })).status).toBe(304);
    expect((await read("audited", { "If-None-Match": 'W/"1"' })).status).toBe(304);
    expect(figures()).toEqual({ revalidations: 2, reads: 0 });
    // Not modified is not the answer: a read, audited and counted as one.
    expect((await read("audited", { "If-None-Match": '"5"' })).status).toBe(200);
    expect(figures()).toEqual({ revalidations: 0, reads: 1 });
    const path = `${ns.environment}/${ns.service_name}/audited`;
    const { items } = await ctx.audit.query({ path, operation: ["revalidate"], limit: 10 });
    expect(items).toHaveLength(2);
    for (const item of items) {
      expect(item).toMatchObject({ operation: "revalidate", path, success: true, version: 1, actor: "reader" });
      expect(item.keyHash).toMatch(/^[0-9a-f]+$/);
    }
    const reads = await ctx.audit.query({ path, operation: ["read"], limit: 10 });
    expect(reads.items).toHaveLength(2);
  });
});
