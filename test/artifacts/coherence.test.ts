import { randomBytes, randomUUID } from "node:crypto";
import { routes } from "@vaultops/api";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type Invoker, lambdaInvoker } from "../../packages/dev/src/invoker";
import { ensureLambdaTools } from "../../packages/dev/src/lambda-tools";
import { ensureBundles } from "../../packages/dev/src/sst-build";
import { canonicalHttpEvent } from "../support/events";
import { registerSecret, testEnv, vaultApi } from "../support/harness";
import { teeLine } from "../support/log-tee";

/**
 * The cross-container bounds as Lambda runs the plane: each function its own container (the Lambda
 * runtime emulator), an in-process copy kept a minute (CACHE_MEMORY_TTL_SECONDS=60), the change list
 * checked every CHECK_MS. A change made in one function (config-update, rotation-rotate) or seen there
 * (a 409) reaches config-get's memory within CHECK_MS: the stale window is measured on the wall clock.
 */
const CHECK_MS = 500;
/** Time for the change's own answer and the reader's poll; the bound itself is CHECK_MS. */
const SLACK_MS = 400;
const log = (line: string) => process.stderr.write(`${line}\n`);
const { tools } = await ensureLambdaTools(log);
let invoker: Invoker;
const ns = { environment: "xcl", service_name: `svc-${randomBytes(3).toString("hex")}` };
const services = () => inject("services");
const reader = { authenticated: true, principal: "reader", scopes: "config:read" };
const admin = { authenticated: true, principal: "ops", scopes: "admin monitor config:read secrets:read config:write" };

type RouteId = keyof typeof routes;
async function call(
  route: RouteId,
  key: string,
  principal: Record<string, unknown>,
  options: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = routes[route];
  const path = r.path.replace("{key}", key);
  const event = canonicalHttpEvent({
    method: r.method,
    route: r.path,
    path,
    headers: { ...(options.body === undefined ? {} : { "Content-Type": "application/json" }), ...options.headers },
    ...(r.path.includes("{key}") ? { pathParameters: { key } } : {}),
    query: r.path === "/api/v1/config" ? {} : ns,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    authorizer: principal,
  });
  const result = await invoker.invoke(r.handler, event, randomUUID());
  expect(result.functionError, JSON.stringify(result.functionError)).toBeUndefined();
  const out = result.payload as { statusCode: number; body?: string };
  return { status: out.statusCode, body: JSON.parse(out.body || "{}") as Record<string, unknown> };
}

/** Milliseconds from now until `read` no longer shows the old state (polled every 25 ms). */
async function staleFor(isStale: () => Promise<boolean>): Promise<number> {
  const started = performance.now();
  while (await isStale()) {
    if (performance.now() - started > 10_000) return Number.POSITIVE_INFINITY;
    await new Promise((r) => setTimeout(r, 25));
  }
  return performance.now() - started;
}

async function heldByReader(key: string) {
  expect((await call("configCreate", key, admin, { body: { key, value: `${key}-v1`, ...ns } })).status).toBe(201);
  expect((await call("configGet", key, reader)).body).toMatchObject({ value: `${key}-v1` });
}

beforeAll(async () => {
  if (!tools) return;
  await ensureBundles(log);
  const env = await testEnv({
    LOG_LEVEL: "warn",
    EMF_ENABLED: "false",
    CACHE_GENERATION_CHECK_MS: String(CHECK_MS),
    CACHE_MEMORY_TTL_SECONDS: "60",
    VAULT_DEADLINE_MS: "8000",
  });
  invoker = lambdaInvoker({ tools, env, log: teeLine, maxEnvironments: 1 });
}, 300_000);

afterAll(async () => {
  await invoker?.stop();
});

describe.runIf(tools)("across Lambda containers (the runtime emulator), within CACHE_GENERATION_CHECK_MS", () => {
  it("stops serving a value made sensitive in another function", async () => {
    await heldByReader("flip");
    expect(
      (await call("configUpdate", "flip", admin, { body: { value: "flip-secret", is_encrypted: true } })).status,
    ).toBe(200);
    registerSecret("flip-secret");
    const ms = await staleFor(async () => (await call("configGet", "flip", reader)).status === 200);
    expect(ms).toBeLessThanOrEqual(CHECK_MS + SLACK_MS);
  });

  it("stops serving the value a rotation in another function replaced", async () => {
    await heldByReader("rot");
    expect((await call("configRotate", "rot", admin)).status).toBe(200);
    const ms = await staleFor(async () => (await call("configGet", "rot", reader)).status === 200);
    expect(ms).toBeLessThanOrEqual(CHECK_MS + SLACK_MS);
  });

  it("serves the version a 409 in another function revealed", async () => {
    await heldByReader("conflict");
    await vaultApi(
      services().vaultAddr,
      services().vaultToken,
      "POST",
      `secret/data/${ns.environment}/${ns.service_name}/conflict`,
      {
        data: { value: "conflict-v2", is_encrypted: false },
      },
    );
    const refused = await call("configUpdate", "conflict", admin, {
      body: { value: "mine" },
      headers: { "If-Match": '"1"' },
    });
    expect(refused.status).toBe(409);
    const ms = await staleFor(async () => (await call("configGet", "conflict", reader)).body.version === 1);
    expect(ms).toBeLessThanOrEqual(CHECK_MS + SLACK_MS);
  });
});
