import middy from "@middy/core";
import { NotFoundError, ScopeError, VaultopsClient } from "@vaultops/client/source";
import { vaultopsConfig } from "@vaultops/client/source/middy";
import type { Context } from "aws-lambda";
import { describe, expect, it } from "vitest";

/** A fake API: one service's keys, answering reads (304 for a current If-None-Match) and errors. */
interface Call {
  url: URL;
  headers: Record<string, string>;
}
function api(values: Record<string, string>, options: { refuse?: string[] } = {}) {
  const calls: Call[] = [];
  const versions: Record<string, number> = Object.fromEntries(Object.keys(values).map((k) => [k, 1]));
  let inFlight = 0;
  let maxInFlight = 0;
  const reply = (status: number, body?: unknown) =>
    new Response(body === undefined ? null : JSON.stringify(body), {
      status,
      headers: { "content-type": "application/json" },
    });
  const fetchFn = (async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = new URL(String(input));
    const headers = Object.fromEntries(new Headers(init.headers as ConstructorParameters<typeof Headers>[0]).entries());
    calls.push({ url, headers });
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((r) => setTimeout(r, 5));
    inFlight--;
    const key = decodeURIComponent(url.pathname.replace("/api/v1/config/", ""));
    if (options.refuse?.includes(key))
      return reply(403, { error: "secrets:read is needed", code: "secrets_scope_required", request_id: "r1" });
    if (!(key in values)) return reply(404, { error: `no configuration ${key}`, code: "not_found" });
    if (headers["if-none-match"] === `"${versions[key]}"`) return reply(304);
    return reply(200, {
      id: 1,
      key,
      value: values[key],
      environment: url.searchParams.get("environment"),
      service_name: url.searchParams.get("service_name"),
      is_encrypted: false,
      version: versions[key],
      created_at: "2026-01-01T00:00:00Z",
      updated_at: "2026-01-01T00:00:00Z",
    });
  }) as typeof fetch;
  const update = (key: string, value: string) => {
    values[key] = value;
    versions[key] = (versions[key] ?? 0) + 1;
  };
  return { fetchFn, calls, update, maxInFlight: () => maxInFlight };
}

/**
 * Lambda's context as the runtime passes it. The middleware types the handler's context as
 * `Context & VaultopsConfigContext<...>` (what the handler sees), so a direct call passes the bare one cast.
 */
const lambdaContext = () =>
  ({
    functionName: "fn",
    awsRequestId: "req",
    getRemainingTimeInMillis: () => 30_000,
  }) as Partial<Context> as never;

function setup(values: Record<string, string>, extra: { refuse?: string[]; maxAge?: number } = {}) {
  const fake = api(values, extra);
  let now = 1_000_000;
  const client = new VaultopsClient({
    baseUrl: "https://api.example",
    token: "t0k",
    fetch: fake.fetchFn,
    sleep: async () => {},
    now: () => now,
  });
  const seen: { order: string[] } = { order: [] };
  const handler = middy()
    .use({
      before: () => {
        seen.order.push("before-vaultops");
      },
    })
    .use(
      vaultopsConfig({
        client,
        environment: "prod",
        service: "api",
        keys: { dbUrl: "db_url", queueUrl: "queue_url" },
        ...(extra.maxAge !== undefined ? { maxAge: extra.maxAge } : {}),
      }),
    )
    .handler(async (_event: unknown, context) => {
      seen.order.push(`handler:${fake.calls.length}`);
      return { ...context.config };
    });
  return { ...fake, handler, seen, tick: (ms: number) => (now += ms) };
}

describe("vaultopsConfig middleware", () => {
  it("loads every key in parallel before the handler and puts the values on context.config", async () => {
    const { handler, calls, seen, maxInFlight } = setup({ db_url: "postgres://a", queue_url: "sqs://q" });
    expect(await handler({}, lambdaContext())).toEqual({ dbUrl: "postgres://a", queueUrl: "sqs://q" });
    expect(calls.map((c) => c.url.pathname).sort()).toEqual(["/api/v1/config/db_url", "/api/v1/config/queue_url"]);
    expect(calls.every((c) => c.url.searchParams.get("environment") === "prod")).toBe(true);
    expect(calls.every((c) => c.url.searchParams.get("service_name") === "api")).toBe(true);
    expect(seen.order).toEqual(["before-vaultops", "handler:2"]); // both reads done before the handler
    expect(maxInFlight()).toBe(2);
  });

  it("reuses the values on warm invocations within maxAge, then revalidates with If-None-Match", async () => {
    const { handler, calls, tick, update } = setup({ db_url: "a", queue_url: "q" }, { maxAge: 60_000 });
    await handler({}, lambdaContext());
    tick(30_000);
    expect(await handler({}, lambdaContext())).toEqual({ dbUrl: "a", queueUrl: "q" });
    expect(calls).toHaveLength(2); // warm: no request

    tick(31_000);
    expect(await handler({}, lambdaContext())).toEqual({ dbUrl: "a", queueUrl: "q" });
    expect(calls).toHaveLength(4);
    expect(calls.slice(2).map((c) => c.headers["if-none-match"])).toEqual(['"1"', '"1"']); // 304s

    update("db_url", "b");
    tick(61_000);
    expect(await handler({}, lambdaContext())).toEqual({ dbUrl: "b", queueUrl: "q" });
    expect(calls).toHaveLength(6);
  });

  it("with maxAge 0 (the client's default) every invocation revalidates", async () => {
    const { handler, calls } = setup({ db_url: "a", queue_url: "q" });
    await handler({}, lambdaContext());
    await handler({}, lambdaContext());
    expect(calls).toHaveLength(4);
    expect(calls.slice(2).every((c) => c.headers["if-none-match"] === '"1"')).toBe(true);
  });

  it("a missing key fails the invocation with NotFoundError before the handler", async () => {
    const { handler, seen } = setup({ db_url: "a" });
    const err = await handler({}, lambdaContext()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err).toMatchObject({ status: 404, code: "not_found" });
    expect(seen.order).toEqual(["before-vaultops"]);
  });

  it("a forbidden key fails the invocation with ScopeError before the handler", async () => {
    const { handler, seen } = setup({ db_url: "a", queue_url: "q" }, { refuse: ["queue_url"] });
    const err = await handler({}, lambdaContext()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScopeError);
    expect(err).toMatchObject({ status: 403, code: "secrets_scope_required", requestId: "r1" });
    expect(seen.order).toEqual(["before-vaultops"]);
  });

  it("makes its own client from clientOptions, once, and keeps it across invocations", async () => {
    const { fetchFn, calls } = api({ flag: "on" });
    const handler = middy()
      .use(
        vaultopsConfig({
          clientOptions: { baseUrl: "https://api.example", fetch: fetchFn, environment: "stage", service: "web" },
          keys: { flag: "flag" },
          maxAge: 60_000,
        }),
      )
      .handler(async (_event: unknown, context) => context.config.flag);
    expect(await handler({}, lambdaContext())).toBe("on");
    expect(await handler({}, lambdaContext())).toBe("on");
    expect(calls).toHaveLength(1);
    expect(calls[0]?.url.searchParams.get("environment")).toBe("stage");
  });

  it("needs a client or its options", () => {
    expect(() => vaultopsConfig({ keys: { a: "a" } })).toThrow(TypeError);
  });
});
