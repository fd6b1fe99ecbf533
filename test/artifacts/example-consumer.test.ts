import { createHash, randomBytes } from "node:crypto";
import { VaultopsClient } from "@vaultops/client/source";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmulatedFunction } from "../../packages/dev/src/lambda-emulator";
import { ensureLambdaTools } from "../../packages/dev/src/lambda-tools";
import { buildConsumer, consumerSpec, countingProxy } from "../../scripts/bench/consumer";
import { startDevRuntime } from "../support/dev-runtime";
import { secretValue } from "../support/harness";
import { teeLine } from "../support/log-tee";

/**
 * The example consumer (examples/consumer/handler.ts: VaultopsProvider on @vaultops/client) built by SST's
 * builder as the plane's functions are, under the Lambda runtime emulator, against the local API over HTTP
 * (`npm run dev` as a child) through a proxy that counts the requests reaching it.
 */
const log = (line: string) => process.stderr.write(`${line}\n`);
const { tools, missing } = await ensureLambdaTools(log);
if (!tools) {
  const message = `example consumer: the Lambda runtime is missing (${missing.join("; ")}); run \`npm run services:install\` with Go installed`;
  if (process.env.CI === "true") throw new Error(message);
  log(`\n!!! ${message}: the example consumer was NOT tested !!!\n`);
}

const SECRETS_TOKEN = `consumer-secrets-${randomBytes(8).toString("hex")}`;
const CONFIG_TOKEN = `consumer-config-${randomBytes(8).toString("hex")}`;
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const scope = { environment: "example", service: `consumer-${randomBytes(3).toString("hex")}` };
const API_KEY = secretValue("consumer-api-key");
const DB_ONE = "postgres://db-one.internal:5432/app";
const DB_TWO = "postgres://db-two.internal:5432/app";

let stack: Awaited<ReturnType<typeof startDevRuntime>>;
let proxy: Awaited<ReturnType<typeof countingProxy>>;
let built: Awaited<ReturnType<typeof buildConsumer>>;
let admin: VaultopsClient;
const functions: EmulatedFunction[] = [];

const consumer = (token: string, maxAgeSeconds: number) => {
  if (!tools) throw new Error("no Lambda runtime");
  const spec = consumerSpec("example-consumer", built.example, { url: proxy.url, token, scope, maxAgeSeconds });
  const fn = new EmulatedFunction(spec, tools, { maxEnvironments: 1, log: teeLine });
  functions.push(fn);
  return fn;
};

/** Requests for the scope's keys that reached the API since `from`. */
const configRequests = (from: number) =>
  proxy.seen.slice(from).filter((r) => r.path.startsWith("/api/v1/config/") && r.method === "GET");

beforeAll(async () => {
  if (!tools) return;
  built = await buildConsumer(log);
  stack = await startDevRuntime({
    API_TOKENS_JSON: JSON.stringify({
      tokens: [
        { name: "consumer-secrets", sha256: sha256(SECRETS_TOKEN), scopes: ["config:read", "secrets:read"] },
        { name: "consumer-config", sha256: sha256(CONFIG_TOKEN), scopes: ["config:read"] },
      ],
    }),
  });
  proxy = await countingProxy(stack.facts.apiUrl);
  admin = new VaultopsClient({ baseUrl: stack.facts.apiUrl, token: stack.facts.apiToken, ...scope });
  await admin.set("database_url", DB_ONE);
  await admin.set("api_key", API_KEY, { isEncrypted: true });
}, 240_000);

afterAll(async () => {
  await Promise.all(functions.map((fn) => fn.stop()));
  await proxy?.stop();
  await stack?.stop();
});

describe.runIf(tools)("the example consumer, built by SST's builder, under the Lambda runtime emulator", () => {
  it("cold start reads both values; warm reads answer from memory; a change is seen after maxAge", async () => {
    const maxAge = 2;
    const fn = consumer(SECRETS_TOKEN, maxAge);
    const before = proxy.seen.length;
    // Before the cold invocation: the values are at most this old at any later read.
    const readAt = Date.now();
    const first = await fn.invoke({});
    expect(first.functionError).toBeUndefined();
    expect(first.initMs).toBeGreaterThan(0);
    expect(first.payload).toEqual({
      databaseUrl: DB_ONE,
      apiKey: { length: API_KEY.length, sha256Prefix: sha256(API_KEY).slice(0, 16) },
    });
    expect(JSON.stringify(first.payload)).not.toContain(API_KEY);
    const cold = configRequests(before);
    expect(cold.map((r) => r.status)).toEqual([200, 200]);

    // Warm, within maxAge: from the provider's memory, no request reaches the API.
    const warmFrom = proxy.seen.length;
    const warm = await fn.invoke({});
    expect(warm.initMs).toBeUndefined();
    expect(warm.payload).toEqual(first.payload);
    // A change made through the API is not seen while the value is younger than maxAge...
    await admin.set("database_url", DB_TWO);
    const stale = await fn.invoke({});
    const elapsed = Date.now() - readAt;
    // (On a machine too slow to make both invocations within maxAge, they were revalidations: not checked.)
    if (elapsed < maxAge * 1000) {
      expect(configRequests(warmFrom)).toEqual([]);
      expect((stale.payload as { databaseUrl: string }).databaseUrl).toBe(DB_ONE);
    }

    // ...and is after it: the changed key is read in full (200), the unchanged one revalidated (304).
    await new Promise((r) => setTimeout(r, maxAge * 1000 + 200));
    const afterFrom = proxy.seen.length;
    const fresh = await fn.invoke({});
    expect(fresh.functionError).toBeUndefined();
    expect((fresh.payload as { databaseUrl: string }).databaseUrl).toBe(DB_TWO);
    const revalidated = configRequests(afterFrom);
    expect(revalidated).toHaveLength(2);
    expect(revalidated.every((r) => r.ifNoneMatch !== undefined)).toBe(true);
    const byKey = Object.fromEntries(revalidated.map((r) => [r.path.split("/").pop(), r.status]));
    expect(byKey).toEqual({ database_url: 200, api_key: 304 });
  });

  it("a config:read-only token cannot read the sensitive API key: the function fails naming secrets:read", async () => {
    const fn = consumer(CONFIG_TOKEN, 30);
    const from = proxy.seen.length;
    const result = await fn.invoke({});
    expect(result.functionError).toBeDefined();
    expect(result.functionError?.errorMessage).toMatch(/"api_key".*secrets:read/);
    expect(result.functionError?.errorMessage).not.toContain(API_KEY);
    const refused = configRequests(from).find((r) => r.path.endsWith("/api_key"));
    expect(refused?.status).toBe(403);
    // The same token reads the plain value.
    const plain = new VaultopsClient({ baseUrl: proxy.url, token: CONFIG_TOKEN, ...scope });
    expect((await plain.get("database_url")).value).toBe(DB_TWO);
  });
});
