import { GetParameterError, ParameterNotFoundError } from "@aws-lambda-powertools/parameters";
import { ScopeError, VaultopsClient } from "@vaultops/client/source";
import { VaultopsProvider } from "@vaultops/client/source/powertools";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

/** A fake API: one service's keys, answering reads (with 304 for a current If-None-Match), lists and errors. */
interface Call {
  url: URL;
  headers: Record<string, string>;
}
function api(values: Record<string, string>, options: { sensitive?: string[]; refuse?: string[]; page?: number } = {}) {
  const calls: Call[] = [];
  const versions: Record<string, number> = Object.fromEntries(Object.keys(values).map((k) => [k, 1]));
  const record = (key: string, withhold = false) => ({
    id: 1,
    key,
    value: withhold ? null : (values[key] ?? null),
    environment: "prod",
    service_name: "api",
    is_encrypted: options.sensitive?.includes(key) ?? false,
    version: versions[key] ?? 1,
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
  });
  const reply = (status: number, body?: unknown) =>
    new Response(body === undefined ? null : JSON.stringify(body), {
      status,
      headers: { "content-type": "application/json" },
    });
  const fetchFn = (async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = new URL(String(input));
    const headers = Object.fromEntries(new Headers(init.headers as ConstructorParameters<typeof Headers>[0]).entries());
    calls.push({ url, headers });
    if (url.pathname === "/api/v1/config") {
      const keys = Object.keys(values).sort();
      const offset = Number(url.searchParams.get("offset") ?? 0);
      const limit = Math.min(options.page ?? 500, Number(url.searchParams.get("limit") ?? 50));
      const items = keys
        .slice(offset, offset + limit)
        .map((k) => record(k, options.sensitive?.includes(k) && options.refuse?.includes(k)));
      return reply(200, { items, total: keys.length, limit, offset, has_more: offset + limit < keys.length });
    }
    const key = decodeURIComponent(url.pathname.replace("/api/v1/config/", ""));
    if (options.refuse?.includes(key))
      return reply(403, { error: "secrets:read is needed", code: "secrets_scope_required", request_id: "r1" });
    if (!(key in values)) return reply(404, { error: `no configuration ${key}`, code: "not_found" });
    if (headers["if-none-match"] === `"${versions[key]}"`) return reply(304);
    return reply(200, record(key));
  }) as typeof fetch;
  const update = (key: string, value: string) => {
    values[key] = value;
    versions[key] = (versions[key] ?? 0) + 1;
  };
  return { fetchFn, calls, update };
}

const options = (fetchFn: typeof fetch) => ({
  baseUrl: "https://api.example",
  token: "t0k",
  fetch: fetchFn,
  sleep: async () => {},
});

describe("VaultopsProvider", () => {
  beforeEach(() => {
    // Powertools' cache ages with Date; only Date is faked.
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-06-01T00:00:00Z"));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("get reads a key of the configured environment and service", async () => {
    const { fetchFn, calls } = api({ db_url: "postgres://a" });
    const provider = new VaultopsProvider({ clientOptions: options(fetchFn), environment: "prod", service: "api" });
    expect(await provider.get("db_url")).toBe("postgres://a");
    expect(calls).toHaveLength(1);
    expect(calls[0]?.url.pathname).toBe("/api/v1/config/db_url");
    expect(calls[0]?.url.searchParams.get("environment")).toBe("prod");
    expect(calls[0]?.url.searchParams.get("service_name")).toBe("api");
    expect(calls[0]?.headers.authorization).toBe("Bearer t0k");
  });

  it("answers from Powertools' cache within maxAge, then asks again with If-None-Match", async () => {
    const { fetchFn, calls, update } = api({ db_url: "a" });
    const provider = new VaultopsProvider({ clientOptions: options(fetchFn), environment: "prod", service: "api" });
    expect(await provider.get("db_url", { maxAge: 60 })).toBe("a");
    vi.advanceTimersByTime(59_000);
    expect(await provider.get("db_url", { maxAge: 60 })).toBe("a");
    expect(calls).toHaveLength(1); // cache hit: no fetch

    vi.advanceTimersByTime(2_000);
    expect(await provider.get("db_url", { maxAge: 60 })).toBe("a");
    expect(calls).toHaveLength(2);
    expect(calls[1]?.headers["if-none-match"]).toBe('"1"'); // revalidated: 304

    update("db_url", "b");
    vi.advanceTimersByTime(61_000);
    expect(await provider.get("db_url", { maxAge: 60 })).toBe("b");
    expect(calls).toHaveLength(3);
  });

  it("the default maxAge is Powertools' own (5 s)", async () => {
    const { fetchFn, calls } = api({ db_url: "a" });
    const provider = new VaultopsProvider({ clientOptions: options(fetchFn), environment: "prod", service: "api" });
    await provider.get("db_url");
    vi.advanceTimersByTime(4_000);
    await provider.get("db_url");
    expect(calls).toHaveLength(1);
    vi.advanceTimersByTime(2_000);
    await provider.get("db_url");
    expect(calls).toHaveLength(2);
  });

  it("does not cache twice: a given client's own maxAge does not answer for the provider", async () => {
    const { fetchFn, calls, update } = api({ db_url: "a" });
    const client = new VaultopsClient({ ...options(fetchFn), environment: "prod", service: "api", maxAge: 3_600_000 });
    const provider = new VaultopsProvider({ client });
    await provider.get("db_url", { maxAge: 1 });
    update("db_url", "b");
    vi.advanceTimersByTime(2_000);
    expect(await provider.get("db_url", { maxAge: 1 })).toBe("b");
    expect(calls).toHaveLength(2);
    expect(calls[1]?.headers["if-none-match"]).toBe('"1"');
  });

  it("forceFetch skips Powertools' cache and asks without If-None-Match", async () => {
    const { fetchFn, calls, update } = api({ db_url: "a" });
    const provider = new VaultopsProvider({ clientOptions: options(fetchFn), environment: "prod", service: "api" });
    await provider.get("db_url", { maxAge: 300 });
    update("db_url", "b");
    expect(await provider.get("db_url", { maxAge: 300 })).toBe("a");
    expect(await provider.get("db_url", { maxAge: 300, forceFetch: true })).toBe("b");
    expect(calls).toHaveLength(2);
    expect(calls[1]?.headers["if-none-match"]).toBeUndefined();
    // and the forced answer is cached again
    expect(await provider.get("db_url", { maxAge: 300 })).toBe("b");
    expect(calls).toHaveLength(2);
  });

  it("transform json parses the value (Powertools' transform), cached apart from the raw value", async () => {
    const { fetchFn, calls } = api({ limits: '{"rps":10,"burst":[1,2]}' });
    const provider = new VaultopsProvider({ clientOptions: options(fetchFn), environment: "prod", service: "api" });
    const parsed = await provider.get<{ rps: number; burst: number[] }>("limits", { transform: "json" });
    expect(parsed).toEqual({ rps: 10, burst: [1, 2] });
    expect(await provider.get("limits", { transform: "json" })).toEqual(parsed);
    expect(calls).toHaveLength(1);
    expect(await provider.get("limits")).toBe('{"rps":10,"burst":[1,2]}');
    expect(calls).toHaveLength(2);
  });

  it("a missing key is undefined, or ParameterNotFoundError with throwOnMissing", async () => {
    const { fetchFn } = api({});
    const provider = new VaultopsProvider({ clientOptions: options(fetchFn), environment: "prod", service: "api" });
    expect(await provider.get("nope")).toBeUndefined();
    await expect(provider.get("nope", { throwOnMissing: true })).rejects.toBeInstanceOf(ParameterNotFoundError);
  });

  it("a refused key is a GetParameterError whose cause is the client's typed error", async () => {
    const { fetchFn } = api({ api_key: "s3cret" }, { sensitive: ["api_key"], refuse: ["api_key"] });
    const provider = new VaultopsProvider({ clientOptions: options(fetchFn), environment: "prod", service: "api" });
    const err = await provider.get("api_key").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GetParameterError);
    expect((err as Error).cause).toBeInstanceOf(ScopeError);
    expect((err as Error).cause).toMatchObject({ status: 403, code: "secrets_scope_required" });
  });

  it("getMultiple('') lists the configured service's keys page by page as key → value", async () => {
    const { fetchFn, calls } = api({ a: "1", b: "2", c: '{"x":true}' }, { page: 2 });
    const provider = new VaultopsProvider({ clientOptions: options(fetchFn), environment: "prod", service: "api" });
    expect(await provider.getMultiple("")).toEqual({ a: "1", b: "2", c: '{"x":true}' });
    expect(calls.map((c) => c.url.pathname)).toEqual(["/api/v1/config", "/api/v1/config"]);
    expect(calls.map((c) => c.url.searchParams.get("offset"))).toEqual(["0", "2"]);
    expect(calls[0]?.url.searchParams.get("service_name")).toBe("api");
    // Powertools' cache
    await provider.getMultiple("");
    expect(calls).toHaveLength(2);
    await provider.getMultiple("", { forceFetch: true });
    expect(calls).toHaveLength(4);
  });

  it("getMultiple('<service>') lists that service of the environment; transform json applies per value", async () => {
    const { fetchFn, calls } = api({ a: "1", c: '{"x":true}' });
    const provider = new VaultopsProvider({ clientOptions: options(fetchFn), environment: "prod", service: "api" });
    expect(await provider.getMultiple("billing", { transform: "json" })).toEqual({ a: 1, c: { x: true } });
    expect(calls[0]?.url.searchParams.get("service_name")).toBe("billing");
    expect(calls[0]?.url.searchParams.get("environment")).toBe("prod");
  });

  it("getMultiple reads a sensitive value the list withholds alone, surfacing the API's refusal", async () => {
    const { fetchFn, calls } = api({ a: "1", api_key: "s3cret" }, { sensitive: ["api_key"], refuse: ["api_key"] });
    const provider = new VaultopsProvider({ clientOptions: options(fetchFn), environment: "prod", service: "api" });
    const err = await provider.getMultiple("").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GetParameterError);
    expect((err as Error).cause).toBeInstanceOf(ScopeError);
    expect(calls.map((c) => c.url.pathname)).toEqual(["/api/v1/config", "/api/v1/config/api_key"]);
  });

  it("needs a client or its options", () => {
    expect(() => new VaultopsProvider({})).toThrow(TypeError);
  });
});
