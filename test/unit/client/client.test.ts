import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  OutcomeUnknownError,
  parseRetryAfter,
  ScopeError,
  UnauthorizedError,
  UnavailableError,
  VaultopsApiError,
  VaultopsClient,
  VaultopsConnectionError,
} from "@vaultops/client/source";
import { describe, expect, it } from "vitest";

/** A fake fetch: answers from a script of handlers, one per call, and records every request. */
interface Call {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: unknown;
}
type Answer = (call: Call, init: RequestInit) => Response | Promise<Response>;

function fake(...answers: Answer[]) {
  const calls: Call[] = [];
  const fetchFn = (async (input: string | URL | Request, init: RequestInit = {}) => {
    const call: Call = {
      method: String(init.method ?? "GET"),
      url: new URL(String(input)),
      headers: Object.fromEntries(new Headers(init.headers as ConstructorParameters<typeof Headers>[0]).entries()),
      ...(init.body !== undefined ? { body: JSON.parse(String(init.body)) } : {}),
    };
    calls.push(call);
    const answer = answers[Math.min(calls.length - 1, answers.length - 1)];
    if (!answer) throw new Error("no answer scripted");
    return answer(call, init);
  }) as typeof fetch;
  return { fetchFn, calls };
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}) =>
  () =>
    new Response(status === 304 ? null : JSON.stringify(body), {
      status,
      headers: { "content-type": "application/json", ...headers },
    });
const record = (version: number, value = `v${version}`, extra: Record<string, unknown> = {}) => ({
  id: version,
  key: "db_url",
  value,
  environment: "prod",
  service_name: "api",
  is_encrypted: false,
  version,
  created_at: "2026-01-01T00:00:00Z",
  updated_at: "2026-01-01T00:00:00Z",
  ...extra,
});
const error = (status: number, code: string, headers: Record<string, string> = {}) =>
  json(status, { error: `failed: ${code}`, code, request_id: "req-1" }, headers);

function client(fetchFn: typeof fetch, extra: Partial<ConstructorParameters<typeof VaultopsClient>[0]> = {}) {
  const sleeps: number[] = [];
  let now = 1_000_000;
  const c = new VaultopsClient({
    baseUrl: "https://api.example/",
    token: "t0k",
    environment: "prod",
    service: "api",
    fetch: fetchFn,
    random: () => 0.5,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    now: () => now,
    ...extra,
  });
  return { c, sleeps, tick: (ms: number) => (now += ms) };
}

describe("VaultopsClient: requests", () => {
  it("get sends the scope, the token and the key", async () => {
    const { fetchFn, calls } = fake(json(200, record(2)));
    const { c } = client(fetchFn);
    expect((await c.get("db/url")).value).toBe("v2");
    expect(calls[0]?.url.pathname).toBe("/api/v1/config/db%2Furl");
    expect(calls[0]?.url.searchParams.get("environment")).toBe("prod");
    expect(calls[0]?.url.searchParams.get("service_name")).toBe("api");
    expect(calls[0]?.headers.authorization).toBe("Bearer t0k");
    expect(calls[0]?.headers["if-none-match"]).toBeUndefined();
  });

  it("names a missing scope", async () => {
    const { fetchFn } = fake(json(200, record(1)));
    const c = new VaultopsClient({ baseUrl: "http://x", fetch: fetchFn });
    await expect(c.get("k")).rejects.toThrow(/environment and service/);
  });

  it("list follows offset and has_more page by page", async () => {
    const { fetchFn, calls } = fake(
      json(200, { items: [record(1), record(2)], total: 3, limit: 2, offset: 0, has_more: true }),
      json(200, { items: [record(3)], total: 3, limit: 2, offset: 2, has_more: false }),
    );
    const { c } = client(fetchFn);
    const pages = [];
    for await (const page of c.list({ limit: 2 })) pages.push(page.items.map((i) => i.version));
    expect(pages).toEqual([[1, 2], [3]]);
    expect(calls.map((x) => x.url.searchParams.get("offset"))).toEqual(["0", "2"]);
    expect(calls[0]?.url.searchParams.get("limit")).toBe("2");
  });

  it("set creates with POST, and updates with PUT when the key exists", async () => {
    const { fetchFn, calls } = fake(json(409, { error: "exists", code: "version_conflict" }), json(200, record(2)));
    const { c } = client(fetchFn);
    expect((await c.set("db_url", "x", { isEncrypted: true })).version).toBe(2);
    expect(calls.map((x) => x.method)).toEqual(["POST", "PUT"]);
    expect(calls[0]?.body).toEqual({
      key: "db_url",
      value: "x",
      environment: "prod",
      service_name: "api",
      is_encrypted: true,
    });
    expect(calls[1]?.body).toEqual({ value: "x", is_encrypted: true });
    expect(calls[1]?.headers["if-match"]).toBeUndefined();
  });

  it("set with ifMatch is one conditional PUT; a stale version is a ConflictError", async () => {
    const { fetchFn, calls } = fake(error(409, "version_conflict"));
    const { c } = client(fetchFn);
    const err = await c.set("db_url", "x", { ifMatch: 3 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect(err).toMatchObject({ status: 409, code: "version_conflict", requestId: "req-1" });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.method).toBe("PUT");
    expect(calls[0]?.headers["if-match"]).toBe('"3"');
  });

  it("set with ifAbsent does not update, and foreign_shape is not turned into an update", async () => {
    const a = fake(error(409, "version_conflict"));
    await expect(client(a.fetchFn).c.set("k", "v", { ifAbsent: true })).rejects.toBeInstanceOf(ConflictError);
    expect(a.calls).toHaveLength(1);
    const b = fake(error(409, "foreign_shape"));
    await expect(client(b.fetchFn).c.set("k", "v")).rejects.toMatchObject({ code: "foreign_shape" });
    expect(b.calls).toHaveLength(1);
  });

  it("delete, versions, rollback, health and status hit their routes", async () => {
    const { fetchFn, calls } = fake(
      json(200, { message: "deleted", key: "db_url", deleted: true, version: 2, purged: true }),
      json(200, { key: "db_url", environment: "prod", service_name: "api", current_version: 2, versions: [] }),
      json(200, record(3)),
      json(503, { vault_health: { status: "sealed" } }),
      json(200, { version: "1" }),
    );
    const { c, sleeps } = client(fetchFn);
    await c.delete("db_url", { ifMatch: 2, purge: true });
    await c.versions("db_url");
    await c.rollback("db_url", 1, { ifMatch: '"2"' });
    expect((await c.health()).healthy).toBe(false);
    await c.status();
    expect(calls.map((x) => `${x.method} ${x.url.pathname}`)).toEqual([
      "DELETE /api/v1/config/db_url",
      "GET /api/v1/config/db_url/versions",
      "POST /api/v1/config/db_url/rollback",
      "GET /api/v1/vault/health",
      "GET /api/v1/vault/status",
    ]);
    expect(calls[0]?.headers["if-match"]).toBe('"2"');
    expect(calls[0]?.url.searchParams.get("purge")).toBe("true");
    expect(calls[2]?.headers["if-match"]).toBe('"2"');
    expect(calls[2]?.body).toEqual({ version: 1 });
    // health's 503 is an answer, not retried
    expect(sleeps).toEqual([]);
  });

  it("getMany: one service, a few at a time, missing keys left out", async () => {
    let inFlight = 0;
    let most = 0;
    const { fetchFn, calls } = fake(async (call) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      const key = decodeURIComponent(call.url.pathname.split("/").pop() as string);
      if (key === "missing") return error(404, "not_found")();
      return json(200, { ...record(1), key, value: key.toUpperCase() })();
    });
    const { c } = client(fetchFn, { concurrency: 2 });
    const keys = ["a", "b", "missing", "c", "d", "e"];
    const found = await c.getMany(keys);
    expect([...found.keys()]).toEqual(["a", "b", "c", "d", "e"]);
    expect(found.get("c")?.value).toBe("C");
    expect(most).toBe(2);
    expect(calls).toHaveLength(6);
    expect(new Set(calls.map((x) => x.url.searchParams.get("service_name")))).toEqual(new Set(["api"]));
  });

  it("getMany rejects on an error other than not found", async () => {
    const { fetchFn } = fake(error(403, "secrets_scope_required"));
    await expect(client(fetchFn).c.getMany(["a", "b"])).rejects.toBeInstanceOf(ScopeError);
  });
});

describe("VaultopsClient: errors", () => {
  it.each([
    [401, "unauthorized", UnauthorizedError],
    [403, "forbidden", ScopeError],
    [403, "secrets_scope_required", ScopeError],
    [403, "vault_permission_denied", ForbiddenError],
    [404, "not_found", NotFoundError],
    [409, "version_conflict", ConflictError],
    [503, "vault_unavailable", UnavailableError],
    [500, "internal_error", VaultopsApiError],
  ])("%i %s", async (status, code, type) => {
    const { fetchFn } = fake(error(status, code));
    const err = await client(fetchFn, { maxAttempts: 1 })
      .c.get("k")
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(type);
    expect(err).toBeInstanceOf(VaultopsApiError);
    expect(err).toMatchObject({ status, code, requestId: "req-1", message: `failed: ${code}` });
  });

  it("ScopeError is a ForbiddenError; a gateway's body without code still maps by status", async () => {
    const { fetchFn } = fake(json(401, { message: "Unauthorized" }));
    const err = await client(fetchFn)
      .c.status()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnauthorizedError);
    expect(err).toMatchObject({ code: "http_401", message: "Unauthorized" });
    expect(new ScopeError("x", { status: 403, code: "forbidden" })).toBeInstanceOf(ForbiddenError);
  });
});

describe("VaultopsClient: retries", () => {
  it("retries a 503 with full jitter, then succeeds", async () => {
    const { fetchFn, calls } = fake(error(503, "vault_sealed"), error(503, "vault_sealed"), json(200, record(1)));
    const { c, sleeps } = client(fetchFn, { baseDelayMs: 100, maxDelayMs: 1_000, random: () => 0.5 });
    expect((await c.get("k")).version).toBe(1);
    expect(calls).toHaveLength(3);
    // random() × min(cap, base × 2^(n-1)): 0.5 × 100, 0.5 × 200
    expect(sleeps).toEqual([50, 100]);
  });

  it("full jitter stays below the cap and spans [0, cap)", async () => {
    for (const r of [0, 0.999]) {
      const { fetchFn } = fake(error(503, "x"));
      const { c, sleeps } = client(fetchFn, { baseDelayMs: 1_000, maxDelayMs: 1_500, maxAttempts: 4, random: () => r });
      await expect(c.get("k")).rejects.toBeInstanceOf(UnavailableError);
      expect(sleeps).toHaveLength(3);
      for (const s of sleeps) expect(s).toBeLessThan(1_500);
      if (r === 0) expect(sleeps).toEqual([0, 0, 0]);
      else expect(sleeps).toEqual([999, 1498, 1498]);
    }
  });

  it("gives up after maxAttempts with the last error", async () => {
    const { fetchFn, calls } = fake(error(503, "state_store_unavailable"));
    const err = await client(fetchFn, { maxAttempts: 2 })
      .c.get("k")
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect(calls).toHaveLength(2);
  });

  it("honours Retry-After in seconds and as an HTTP date", async () => {
    const now = Date.parse("2026-03-01T10:00:00Z");
    const { fetchFn } = fake(
      error(503, "x", { "retry-after": "2" }),
      error(503, "x", { "retry-after": new Date(now + 7_000).toUTCString() }),
      json(200, record(1)),
    );
    const { c, sleeps } = client(fetchFn, { now: () => now });
    await c.get("k");
    expect(sleeps).toEqual([2_000, 7_000]);
    expect(parseRetryAfter("soon")).toBeUndefined();
    expect(parseRetryAfter(new Date(now - 5_000).toUTCString(), now)).toBe(0);
  });

  it("does not wait for a Retry-After beyond maxRetryAfterMs", async () => {
    const { fetchFn, calls } = fake(error(503, "x", { "retry-after": "120" }));
    const err = await client(fetchFn, { maxRetryAfterMs: 10_000 })
      .c.get("k")
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 503, retryAfterMs: 120_000 });
    expect(calls).toHaveLength(1);
  });

  it("retries a read's 504", async () => {
    const { fetchFn, calls } = fake(error(504, "gateway_timeout"), json(200, record(1)));
    await client(fetchFn).c.get("k");
    expect(calls).toHaveLength(2);
  });

  it("never retries a write whose outcome is unknown: 504 throws OutcomeUnknownError at once", async () => {
    for (const write of [
      (c: VaultopsClient) => c.set("k", "v", { ifMatch: 1 }),
      (c: VaultopsClient) => c.set("k", "v"),
      (c: VaultopsClient) => c.rollback("k", 1),
      (c: VaultopsClient) => c.delete("k"),
    ]) {
      const { fetchFn, calls } = fake(error(504, "outcome_unknown"));
      const { c, sleeps } = client(fetchFn, { maxAttempts: 5 });
      const err = await write(c).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OutcomeUnknownError);
      expect(err).toMatchObject({ status: 504, code: "outcome_unknown" });
      expect(calls).toHaveLength(1);
      expect(sleeps).toEqual([]);
    }
    // A bare gateway 504 on a write is unknown too.
    const { fetchFn, calls } = fake(json(504, { message: "Endpoint request timed out" }));
    await expect(client(fetchFn).c.set("k", "v", { ifMatch: 1 })).rejects.toBeInstanceOf(OutcomeUnknownError);
    expect(calls).toHaveLength(1);
  });

  it("retries a write's 503 (nothing happened)", async () => {
    const { fetchFn, calls } = fake(error(503, "vault_unavailable"), json(200, record(4)));
    expect((await client(fetchFn).c.set("k", "v", { ifMatch: 3 })).version).toBe(4);
    expect(calls.map((x) => x.method)).toEqual(["PUT", "PUT"]);
  });

  it("does not retry other errors", async () => {
    const { fetchFn, calls } = fake(error(500, "internal_error"));
    await expect(client(fetchFn).c.get("k")).rejects.toBeInstanceOf(VaultopsApiError);
    expect(calls).toHaveLength(1);
  });
});

describe("VaultopsClient: timeouts and network errors", () => {
  const hang: Answer = (_call, init) =>
    new Promise<Response>((_resolve, reject) => {
      init.signal?.addEventListener("abort", () => reject(init.signal?.reason), { once: true });
    });

  it("times a read out per attempt, retries it, then throws a VaultopsConnectionError", async () => {
    const { fetchFn, calls } = fake(hang);
    const err = await client(fetchFn, { timeoutMs: 20, maxAttempts: 2 })
      .c.get("k")
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VaultopsConnectionError);
    expect(err).toMatchObject({ timedOut: true });
    expect(calls).toHaveLength(2);
  });

  it("a timed-out write is an OutcomeUnknownError (status 0), not retried", async () => {
    const { fetchFn, calls } = fake(hang);
    const err = await client(fetchFn, { timeoutMs: 20, maxAttempts: 3 })
      .c.set("k", "v", { ifMatch: 1 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OutcomeUnknownError);
    expect(err).toMatchObject({ status: 0, code: "outcome_unknown" });
    expect(calls).toHaveLength(1);
  });

  it("a refused connection is retried, for writes too (nothing was sent)", async () => {
    const refused = () => {
      throw new TypeError("fetch failed", { cause: Object.assign(new Error("connect"), { code: "ECONNREFUSED" }) });
    };
    const { fetchFn, calls } = fake(refused, json(200, record(2)));
    expect((await client(fetchFn).c.set("k", "v", { ifMatch: 1 })).version).toBe(2);
    expect(calls).toHaveLength(2);
    const down = fake(refused);
    const err = await client(down.fetchFn, { maxAttempts: 2 })
      .c.get("k")
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VaultopsConnectionError);
    expect((err as Error).message).toMatch(/ECONNREFUSED/);
  });

  it("the caller's own abort ends the call without retries", async () => {
    const { fetchFn, calls } = fake(hang);
    const controller = new AbortController();
    const pending = client(fetchFn, { timeoutMs: 5_000 }).c.get("k", { signal: controller.signal });
    controller.abort(new Error("stop"));
    await expect(pending).rejects.toThrow("stop");
    expect(calls).toHaveLength(1);
  });
});

describe("VaultopsClient: values in memory and revalidation", () => {
  it("serves from memory within maxAge, then revalidates with If-None-Match; 304 refreshes the age", async () => {
    const { fetchFn, calls } = fake(json(200, record(5)), json(304, null), json(304, null));
    const { c, tick } = client(fetchFn, { maxAge: 1_000 });
    expect((await c.get("db_url")).value).toBe("v5");
    tick(500);
    expect((await c.get("db_url")).value).toBe("v5");
    expect(calls).toHaveLength(1);
    tick(600);
    expect((await c.get("db_url")).value).toBe("v5");
    expect(calls).toHaveLength(2);
    expect(calls[1]?.headers["if-none-match"]).toBe('"5"');
    // the 304 restarted the age
    tick(900);
    await c.get("db_url");
    expect(calls).toHaveLength(2);
    tick(200);
    await c.get("db_url");
    expect(calls).toHaveLength(3);
  });

  it("a 200 to a revalidation (a server without 304) replaces the value", async () => {
    const { fetchFn, calls } = fake(json(200, record(5)), json(200, record(6)), json(304, null));
    const { c, tick } = client(fetchFn, { maxAge: 100 });
    await c.get("db_url");
    tick(100);
    expect((await c.get("db_url")).value).toBe("v6");
    tick(100);
    await c.get("db_url");
    expect(calls[2]?.headers["if-none-match"]).toBe('"6"');
  });

  it("maxAge 0 (the default) revalidates every read", async () => {
    const { fetchFn, calls } = fake(json(200, record(1)), json(304, null));
    const { c } = client(fetchFn);
    await c.get("k");
    expect((await c.get("k")).value).toBe("v1");
    expect(calls).toHaveLength(2);
    expect(calls[1]?.headers["if-none-match"]).toBe('"1"');
  });

  it("forceFetch asks without If-None-Match; noCache sends Cache-Control", async () => {
    const { fetchFn, calls } = fake(json(200, record(1)), json(200, record(2)));
    const { c } = client(fetchFn, { maxAge: 60_000 });
    await c.get("k");
    expect((await c.get("k", { forceFetch: true, noCache: true })).version).toBe(2);
    expect(calls[1]?.headers["if-none-match"]).toBeUndefined();
    expect(calls[1]?.headers["cache-control"]).toBe("no-cache");
    // and keeps the new answer
    expect((await c.get("k")).version).toBe(2);
    expect(calls).toHaveLength(2);
  });

  it("sensitive values are kept like the rest (in memory only)", async () => {
    const { fetchFn, calls } = fake(json(200, record(1, "s3cret", { is_encrypted: true })));
    const { c } = client(fetchFn, { maxAge: 60_000 });
    expect((await c.get("k")).value).toBe("s3cret");
    expect((await c.get("k")).is_encrypted).toBe(true);
    expect(calls).toHaveLength(1);
  });

  it("a write through the client forgets the key's value; a version read is never kept", async () => {
    const { fetchFn, calls } = fake(json(200, record(1)), json(200, record(2)), json(200, record(2)));
    const { c } = client(fetchFn, { maxAge: 60_000 });
    await c.get("db_url");
    await c.set("db_url", "x", { ifMatch: 1 });
    expect((await c.get("db_url")).version).toBe(2);
    expect(calls[2]?.headers["if-none-match"]).toBeUndefined();
    const v = fake(json(200, record(1)));
    const { c: c2 } = client(v.fetchFn, { maxAge: 60_000 });
    await c2.get("db_url", { version: 1 });
    await c2.get("db_url", { version: 1 });
    expect(v.calls).toHaveLength(2);
    expect(v.calls[0]?.url.searchParams.get("version")).toBe("1");
  });

  it("entries are per scope", async () => {
    const { fetchFn, calls } = fake(json(200, record(1)));
    const { c } = client(fetchFn, { maxAge: 60_000 });
    await c.get("k", { environment: "a", service: "s" });
    await c.get("k", { environment: "b", service: "s" });
    expect(calls).toHaveLength(2);
  });
});
