import { once } from "node:events";
import { type AddressInfo, createServer } from "node:net";
import {
  ConflictError,
  NotFoundError,
  ScopeError,
  UnauthorizedError,
  VaultopsClient,
  VaultopsConnectionError,
} from "@vaultops/client/source";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevRuntime } from "../support/dev-runtime";
import { registerSecret } from "../support/harness";

/** @vaultops/client against the local stack (packages/dev) over HTTP: every method, errors, revalidation. */
let stack: Awaited<ReturnType<typeof startDevRuntime>>;
const SECRET = "client-e2e-secret-value";
const scope = { environment: "client-e2e", service: "app" };

/** The client's requests and the statuses answered, through a fetch that records them. */
const seen: Array<{ method: string; path: string; ifNoneMatch: string | null; status: number }> = [];
const recording: typeof fetch = async (input, init) => {
  const res = await fetch(input, init);
  const url = new URL(String(input));
  seen.push({
    method: String(init?.method ?? "GET"),
    path: url.pathname,
    ifNoneMatch: new Headers(init?.headers).get("if-none-match"),
    status: res.status,
  });
  return res;
};
const client = (extra: Partial<ConstructorParameters<typeof VaultopsClient>[0]> = {}) =>
  new VaultopsClient({
    baseUrl: stack.facts.apiUrl,
    token: stack.facts.apiToken,
    ...scope,
    fetch: recording,
    ...extra,
  });

beforeAll(async () => {
  stack = await startDevRuntime();
  registerSecret(SECRET);
}, 120_000);
afterAll(async () => {
  await stack?.stop();
});

describe("@vaultops/client", () => {
  it("health and status", async () => {
    const c = client();
    const health = await c.health();
    expect(health.healthy).toBe(true);
    expect(health.vault_health.status).toBe("healthy");
    const status = await c.status();
    expect(status).toBeTypeOf("object");
  });

  it("set creates then updates; get, get a version, versions, rollback", async () => {
    const c = client();
    expect((await c.set("db_url", "postgres://one")).version).toBe(1);
    expect((await c.set("db_url", "postgres://two")).version).toBe(2);
    expect((await c.get("db_url")).value).toBe("postgres://two");
    expect((await c.get("db_url", { version: 1 })).value).toBe("postgres://one");
    const stale = await c.set("db_url", "x", { ifMatch: 1 }).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(ConflictError);
    expect(stale).toMatchObject({ status: 409, code: "version_conflict" });
    expect((await c.set("db_url", "postgres://three", { ifMatch: 2 })).version).toBe(3);
    await expect(c.set("db_url", "y", { ifAbsent: true })).rejects.toBeInstanceOf(ConflictError);
    const versions = await c.versions("db_url");
    expect(versions.current_version).toBe(3);
    expect(versions.versions.map((v) => v.version)).toEqual(expect.arrayContaining([1, 2, 3]));
    const rolled = await c.rollback("db_url", 1, { ifMatch: 3 });
    expect(rolled).toMatchObject({ version: 4, value: "postgres://one" });
    expect((await c.get("db_url")).value).toBe("postgres://one");
  });

  it("list pages through a service; getMany reads several keys and leaves missing ones out", async () => {
    const c = client();
    for (const key of ["k1", "k2", "k3", "k4", "k5"]) await c.set(key, `value-${key}`, { service: "paged" });
    const pages: string[][] = [];
    for await (const page of c.list({ service: "paged", limit: 2 })) pages.push(page.items.map((i) => i.key));
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(pages.flat().sort()).toEqual(["k1", "k2", "k3", "k4", "k5"]);
    const many = await c.getMany(["k1", "k4", "nope", "k5"], { service: "paged" });
    expect([...many].map(([k, r]) => [k, r.value])).toEqual([
      ["k1", "value-k1"],
      ["k4", "value-k4"],
      ["k5", "value-k5"],
    ]);
  });

  it("keeps values for maxAge, then revalidates with If-None-Match (304 or a new 200)", async () => {
    const c = client({ maxAge: 60_000 });
    const writer = client();
    await writer.set("feature", "on");
    seen.length = 0;
    expect((await c.get("feature")).value).toBe("on");
    expect((await c.get("feature")).value).toBe("on");
    // The second read came from memory.
    expect(seen.filter((s) => s.path.endsWith("/feature"))).toHaveLength(1);
    // With maxAge 0 the read goes to the API, conditionally.
    const fresh = client({ maxAge: 0 });
    await fresh.get("feature");
    seen.length = 0;
    expect((await fresh.get("feature")).value).toBe("on");
    expect(seen[0]).toMatchObject({ method: "GET", ifNoneMatch: '"1"' });
    // 304 where the API has conditional reads, else the same value again with 200.
    expect([200, 304]).toContain(seen[0]?.status);
    // Another writer's change: the revalidation answers 200 and the new value.
    await writer.set("feature", "off");
    seen.length = 0;
    expect((await fresh.get("feature")).value).toBe("off");
    expect(seen[0]).toMatchObject({ ifNoneMatch: '"1"', status: 200 });
    // forceFetch asks without If-None-Match.
    seen.length = 0;
    expect((await c.get("feature", { forceFetch: true })).value).toBe("off");
    expect(seen[0]?.ifNoneMatch).toBeNull();
  });

  it("sensitive values: read by an admin token, refused to a token without secrets:read", async () => {
    const c = client();
    await c.set("api_key", SECRET, { isEncrypted: true });
    const read = await c.get("api_key", { forceFetch: true });
    expect(read).toMatchObject({ value: SECRET, is_encrypted: true });
    const reader = client({ token: stack.facts.apiReadToken });
    const refused = await reader.get("api_key").catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ScopeError);
    expect(refused).toMatchObject({ status: 403, code: "secrets_scope_required" });
    // In a list the value is withheld: null and its hash prefix.
    const items = [];
    for await (const page of reader.list()) items.push(...page.items);
    const item = items.find((i) => i.key === "api_key");
    expect(item).toMatchObject({ value: null, value_sha256_prefix: expect.stringMatching(/^[0-9a-f]{16}$/) });
  });

  it("delete with ifMatch; then NotFoundError", async () => {
    const c = client();
    const current = await c.get("db_url", { forceFetch: true });
    await expect(c.delete("db_url", { ifMatch: current.version - 1 })).rejects.toBeInstanceOf(ConflictError);
    const deleted = await c.delete("db_url", { ifMatch: current.version });
    expect(deleted).toMatchObject({ key: "db_url", deleted: true });
    const gone = await c.get("db_url").catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(NotFoundError);
    expect(gone).toMatchObject({ status: 404, code: "not_found" });
  });

  it("a bad token is an UnauthorizedError; an address nobody listens on a VaultopsConnectionError", async () => {
    await expect(client({ token: "not-a-token" }).get("feature")).rejects.toBeInstanceOf(UnauthorizedError);
    // A port that was free a moment ago: nobody listens on it.
    const server = createServer().listen(0, "127.0.0.1");
    await once(server, "listening");
    const { port } = server.address() as AddressInfo;
    server.close();
    await once(server, "close");
    const down = new VaultopsClient({
      baseUrl: `http://127.0.0.1:${port}`,
      token: "x",
      ...scope,
      maxAttempts: 2,
      baseDelayMs: 1,
    });
    const err = await down.status().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VaultopsConnectionError);
    expect((err as Error).message).toMatch(/ECONNREFUSED/);
    // A write that was refused was never sent: a connection error too, not an unknown outcome.
    await expect(down.set("k", "v")).rejects.toBeInstanceOf(VaultopsConnectionError);
  });
});
