import { randomBytes, randomUUID } from "node:crypto";
import path from "node:path";
import {
  authorizerHandler,
  credentialRotationHandler,
  fallbackHandler,
  incidentHandler,
  routes,
  schedules,
} from "@vaultops/api";
import { functionCatalogue, functionFor } from "@vaultops/build-definition";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Invoker, lambdaInvoker, sourceInvoker } from "../../packages/dev/src/invoker";
import { ensureLambdaTools } from "../../packages/dev/src/lambda-tools";
import { ensureBundles, outRoot, readManifest } from "../../packages/dev/src/sst-build";
import { applyHandlerEnvironment } from "../../packages/dev/src/stack";
import { deployedEnv } from "../support/deployed-env";
import { canonicalAuthorizerEvent, canonicalHttpEvent, fixture, scheduledEvent } from "../support/events";
import { ADMIN_TOKEN, READ_TOKEN, registerSecret } from "../support/harness";
import { teeLine } from "../support/log-tee";

/**
 * The artifacts a deploy uploads (`npm run build`'s dist/functions), each run under the AWS Lambda
 * Runtime Interface Emulator with the Node runtime interface client, fed the canonical events AWS
 * documents, and held to the answers the same script gets from the TypeScript handlers (`source`).
 */
const log = (line: string) => process.stderr.write(`${line}\n`);
const { tools, missing } = await ensureLambdaTools(log);
if (!tools) {
  const message = `artifact suite: the Lambda runtime is missing (${missing.join("; ")}); run \`npm run services:install\` with Go installed`;
  if (process.env.CI === "true") throw new Error(message);
  log(`\n!!! ${message}: the built bundles were NOT tested !!!\n`);
}

type Side = "source" | "lambda";
interface Answer {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
  text: string;
}

/** One side of the comparison: a table and a namespace of its own, the functions run by its invoker. */
interface Runner {
  side: Side;
  invoker: Invoker;
  env: Record<string, string>;
  ns: { environment: string; service_name: string };
  /** The authorizer's answer per Authorization header, reused as API Gateway does. */
  authorizations: Map<string, Record<string, unknown>>;
}

let source: Runner;
let lambda: Runner;

/** As a deploy runs the functions: secrets, snapshots, metrics and events on (moto's) AWS. */
const runnerEnv = async () =>
  deployedEnv({
    awsScope: "art-aws/*",
    overrides: { LOG_LEVEL: "info", EMF_ENABLED: "false", CACHE_GENERATION_CHECK_MS: "0" },
  });

beforeAll(async () => {
  if (!tools) return;
  await ensureBundles(log);
  const sourceEnv = await runnerEnv();
  applyHandlerEnvironment(sourceEnv);
  source = {
    side: "source",
    invoker: sourceInvoker(),
    env: sourceEnv,
    ns: { environment: "art", service_name: `src-${randomBytes(3).toString("hex")}` },
    authorizations: new Map(),
  };
  const lambdaEnv = await runnerEnv();
  lambda = {
    side: "lambda",
    // The functions' own log lines go to the run's log file, which is scanned for leaked secrets.
    invoker: lambdaInvoker({ tools, env: lambdaEnv, log: teeLine }),
    env: lambdaEnv,
    ns: { environment: "art", service_name: `lam-${randomBytes(3).toString("hex")}` },
    authorizations: new Map(),
  };
}, 300_000);

afterAll(async () => {
  await lambda?.invoker.stop();
});

const run = async (runner: Runner, handler: string, event: unknown) => {
  const result = await runner.invoker.invoke(handler, event, randomUUID());
  return result;
};

/** What API Gateway does for a request: the authorizer for protected routes, then the route's function. */
async function request(
  runner: Runner,
  options: {
    route: keyof typeof routes;
    params?: Record<string, string>;
    query?: Record<string, string>;
    headers?: Record<string, string>;
    body?: unknown;
    raw?: string;
    token?: string | null;
  },
): Promise<Answer> {
  const route = routes[options.route];
  let pathname: string = route.path;
  for (const [name, value] of Object.entries(options.params ?? {}))
    pathname = pathname.replace(`{${name}}`, encodeURIComponent(value));
  const headers: Record<string, string> = { Accept: "application/json", ...options.headers };
  const token = options.token === undefined ? ADMIN_TOKEN : options.token;
  if (token) headers.Authorization = `Bearer ${token}`;
  let authorizer: Record<string, unknown> | null = null;
  if (route.scope !== "public") {
    if (!token) return { status: 401, headers: {}, body: { message: "Unauthorized" }, text: "" };
    const identity = headers.Authorization as string;
    let context = runner.authorizations.get(identity);
    if (!context) {
      const decision = await run(
        runner,
        authorizerHandler,
        canonicalAuthorizerEvent({ method: route.method, route: route.path, path: pathname, headers }),
      );
      expect(decision.functionError, `${runner.side} authorizer`).toBeUndefined();
      const answer = decision.payload as { isAuthorized: boolean; context: Record<string, unknown> };
      expect(answer.isAuthorized).toBe(true);
      context = answer.context;
      runner.authorizations.set(identity, context);
    }
    authorizer = context;
  }
  const body = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const event = canonicalHttpEvent({
    method: route.method,
    route: route.path,
    path: pathname,
    headers: { ...headers, ...(body !== undefined ? { "Content-Type": "application/json" } : {}) },
    ...(options.params ? { pathParameters: options.params } : {}),
    ...(options.query ? { query: options.query } : {}),
    ...(body !== undefined ? { body } : {}),
    authorizer,
  });
  const result = await run(runner, route.handler, event);
  expect(
    result.functionError,
    `${runner.side} ${options.route}: ${JSON.stringify(result.functionError)}`,
  ).toBeUndefined();
  const out = result.payload as { statusCode: number; headers?: Record<string, string>; body?: string };
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(out.body ?? "") as Record<string, unknown>;
  } catch {
    // Prometheus text
  }
  return { status: out.statusCode, headers: out.headers ?? {}, body: parsed, text: out.body ?? "" };
}

/** The shape of a JSON answer: keys and value types, recursively (values differ between the two runs). */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.length > 0 ? [shape(value[0])] : [];
  if (value && typeof value === "object")
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, shape(v)]),
    );
  return value === null ? "null" : typeof value;
}

/** Runs one step on both sides and asserts the same status and the same shape of answer. */
async function both(
  options: Parameters<typeof request>[1] & { expect: number },
  check?: (answer: Answer, runner: Runner) => void,
): Promise<{ source: Answer; lambda: Answer }> {
  const answers = {} as { source: Answer; lambda: Answer };
  for (const runner of [source, lambda]) {
    const withNs = { ...options, query: options.query ? { ...runner.ns, ...options.query } : options.query };
    if (typeof withNs.body === "object" && withNs.body !== null && "service_name" in withNs.body)
      withNs.body = { ...withNs.body, ...runner.ns };
    const answer = await request(runner, withNs);
    expect(answer.status, `${runner.side} ${options.route}: ${answer.text.slice(0, 300)}`).toBe(options.expect);
    check?.(answer, runner);
    answers[runner.side] = answer;
  }
  expect(shape(answers.lambda.body), `${options.route}: same answer shape`).toEqual(shape(answers.source.body));
  return answers;
}

const key = "db_host";
const value = () => `db-${randomBytes(6).toString("hex")}.internal`;

describe.runIf(tools)("built bundles under the Lambda runtime emulator", () => {
  it("runs what SST's builder built for every function of the catalogue, with the handler it names", () => {
    const built = readManifest().functions;
    expect(built.map((f) => f.name).sort()).toEqual(functionCatalogue.map((f) => f.name).sort());
  });

  it("answers the public health route and the OpenAPI document", async () => {
    await both({ route: "vaultHealth", expect: 200, token: null }, (a) =>
      expect((a.body.vault_health as Record<string, unknown>).status).toBe("healthy"),
    );
    await both({ route: "openApi", expect: 200, token: null }, (a) => expect(a.body.openapi).toMatch(/^3\.1/));
  });

  it("creates from a base64 body, reads, and honours a capitalised If-Match (409 stale, 200 current)", async () => {
    const values: Record<Side, string> = { source: value(), lambda: value() };
    await both(
      {
        route: "configCreate",
        expect: 201,
        body: { key, value: "placeholder", is_encrypted: false, environment: "", service_name: "" },
      },
      (a) => expect(a.headers.etag).toBe('"1"'),
    );
    await both({ route: "configGet", params: { key }, query: {}, expect: 200 }, (a) =>
      expect(a.body).toMatchObject({ key, value: "placeholder", version: 1 }),
    );
    await both(
      {
        route: "configUpdate",
        params: { key },
        query: {},
        headers: { "If-Match": '"7"' },
        body: { value: "x" },
        expect: 409,
      },
      (a) => expect(a.body.code).toBe("version_conflict"),
    );
    for (const runner of [source, lambda]) {
      const answer = await request(runner, {
        route: "configUpdate",
        params: { key },
        query: runner.ns,
        headers: { "If-Match": '"1"' },
        body: { value: values[runner.side], is_encrypted: false },
      });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ version: 2, value: values[runner.side] });
    }
    await both({ route: "configVersions", params: { key }, query: {}, expect: 200 });
    await both({ route: "configRollback", params: { key }, query: {}, body: { version: 1 }, expect: 200 }, (a) =>
      expect(a.body).toMatchObject({ version: 3, value: "placeholder" }),
    );
    await both({ route: "configList", query: {}, expect: 200 }, (a) => expect(a.body.total).toBe(1));
    await both({ route: "configStatus", expect: 200 }, (a) => expect(a.body.vault_enabled).toBe(true));
  });

  it("refuses bad input with a JSON 4xx: malformed JSON, missing token, read token on an admin route", async () => {
    await both({ route: "configCreate", raw: "{not json", expect: 400 }, (a) =>
      expect(a.body.code).toBe("invalid_request"),
    );
    await both({ route: "vaultMetrics", token: "not-a-token", expect: 401 });
    await both({ route: "vaultCacheClear", token: READ_TOKEN, expect: 403 }, (a) =>
      expect(a.body.code).toBe("forbidden"),
    );
  });

  it("serves metrics as JSON and as Prometheus text (Accept header in any case)", async () => {
    await both({ route: "vaultMetrics", expect: 200 });
    const answers = await both({ route: "vaultMetrics", headers: { Accept: "text/plain" }, expect: 200 });
    expect(answers.lambda.text).toMatch(/^# HELP vaultops_/m);
    expect(answers.lambda.headers["content-type"]).toMatch(/^text\/plain/);
    await both({ route: "vaultStatus", expect: 200 });
  });

  it("runs rotation policies, a rotation and its history", async () => {
    const policy = { interval_days: 30, generator: { name: "alnum32" } };
    await both({ route: "configRotationPut", params: { key }, query: {}, body: policy, expect: 200 });
    await both({ route: "configRotationGet", params: { key }, query: {}, expect: 200 });
    await both({ route: "configRotate", params: { key }, query: {}, expect: 200 }, (a) => {
      expect(a.text).not.toContain("placeholder");
    });
    // The rotated value is a secret now: registered so the log scan proves it never reached a log.
    for (const runner of [source, lambda]) {
      const current = await request(runner, { route: "configGet", params: { key }, query: runner.ns });
      registerSecret(String(current.body.value));
    }
    // The key is sensitive now: its pre-rotation plain versions too, for a token without secrets:read.
    await both({ route: "configGet", params: { key }, query: { version: "1" }, token: READ_TOKEN, expect: 403 }, (a) =>
      expect(a.body.code).toBe("secrets_scope_required"),
    );
    await both({ route: "configRotationHistory", params: { key }, query: {}, expect: 200 });
    await both({ route: "rotationStatus", expect: 200 });
    await both({ route: "configRotationDelete", params: { key }, query: {}, expect: 200 });
  });

  it("creates, lists, verifies, plans a restore of and deletes an encrypted snapshot", async () => {
    const created = await both({ route: "snapshotCreate", body: { type: "full", prefix: "art/" }, expect: 201 });
    await both({ route: "snapshotList", expect: 200 });
    for (const runner of [source, lambda]) {
      const id = String(created[runner.side].body.id);
      expect((await request(runner, { route: "snapshotGet", params: { id } })).status).toBe(200);
      expect((await request(runner, { route: "snapshotVerify", params: { id } })).body.valid).toBe(true);
      expect((await request(runner, { route: "snapshotRestore", params: { id } })).status).toBe(200);
      expect((await request(runner, { route: "snapshotDelete", params: { id } })).status).toBe(200);
    }
  });

  it("serves a scope routed to Secrets Manager: create, read, update, copy plan, delete", async () => {
    const awsNs = (runner: Runner) => ({ environment: "art-aws", service_name: runner.ns.service_name });
    for (const runner of [source, lambda]) {
      const ns = awsNs(runner);
      const created = await request(runner, {
        route: "configCreate",
        body: { key: "sm_key", value: "in-secrets-manager", is_encrypted: false, ...ns },
      });
      expect(created.status, created.text).toBe(201);
      const read = await request(runner, { route: "configGet", params: { key: "sm_key" }, query: ns });
      expect(read.body).toMatchObject({ value: "in-secrets-manager", version: 1 });
      const updated = await request(runner, {
        route: "configUpdate",
        params: { key: "sm_key" },
        query: ns,
        headers: { "If-Match": '"1"' },
        body: { value: "changed" },
      });
      expect(updated.status, updated.text).toBe(200);
      const copy = await request(runner, { route: "configCopy", body: { ...ns, from: "aws", to: "vault" } });
      expect(copy.status, copy.text).toBe(200);
      const deleted = await request(runner, { route: "configDelete", params: { key: "sm_key" }, query: ns });
      expect(deleted.status, deleted.text).toBe(200);
    }
  });

  it("rotates a Secrets Manager configuration, retires its previous version after the grace period, and snapshots and restores the scope into an emptied prefix", async () => {
    for (const runner of [source, lambda]) {
      const ns = { environment: "art-aws", service_name: `${runner.ns.service_name}-rot` };
      const key = { params: { key: "sm_rotated" }, query: ns };
      const created = await request(runner, {
        route: "configCreate",
        body: { key: "sm_rotated", value: "before-rotation", is_encrypted: true, ...ns },
      });
      expect(created.status, created.text).toBe(201);
      const policy = { interval_days: 30, grace_period_hours: 0, generator: { name: "alnum32" } };
      expect((await request(runner, { route: "configRotationPut", ...key, body: policy })).status).toBe(200);
      const rotated = await request(runner, { route: "configRotate", ...key });
      expect(rotated.status, rotated.text).toBe(200);
      const job = await run(runner, schedules.rotation.handler, scheduledEvent(schedules.rotation.handler));
      expect(job.payload, JSON.stringify(job.functionError)).toMatchObject({ ok: true, retired: 1 });
      const current = await request(runner, { route: "configGet", ...key });
      registerSecret(String(current.body.value));
      // A snapshot of the scope, restored after its secret was destroyed: the restore creates it again.
      const snapshot = await request(runner, {
        route: "snapshotCreate",
        body: { type: "full", prefix: `${ns.environment}/${ns.service_name}/` },
      });
      expect(snapshot.status, snapshot.text).toBe(201);
      const purged = await request(runner, { route: "configDelete", ...key, query: { ...ns, purge: "true" } });
      expect(purged.status, purged.text).toBe(200);
      const restored = await request(runner, {
        route: "snapshotRestore",
        params: { id: String(snapshot.body.id) },
        query: { dry_run: "false" },
      });
      expect(restored.status, restored.text).toBe(200);
      expect(JSON.stringify(restored.body)).toMatch(/"created"/);
      expect((await request(runner, { route: "configGet", ...key })).body.value).toBe(current.body.value);
    }
  });

  it("answers an alarm that says clear-cache,rotate by rotating the scope's secrets on both backends", async () => {
    for (const runner of [source, lambda]) {
      for (const environment of ["art", "art-aws"]) {
        const ns = { environment, service_name: `${runner.ns.service_name}-inc` };
        const key = { params: { key: "inc_secret" }, query: ns };
        await request(runner, {
          route: "configCreate",
          body: { key: "inc_secret", value: "compromised", is_encrypted: true, ...ns },
        });
        await request(runner, { route: "configRotationPut", ...key, body: { interval_days: 30 } });
        const event = fixture<Record<string, unknown>>("cloudwatch-alarm-action");
        const alarmData = event.alarmData as {
          alarmName: string;
          configuration: { description: string; metrics: Array<{ metricStat: { metric: { dimensions: unknown } } }> };
        };
        alarmData.alarmName = `vaultops-test-unusual-access-${runner.side}-${environment}`;
        alarmData.configuration.description = "Reads above their band. vaultops:action=clear-cache,rotate";
        (
          alarmData.configuration.metrics[0] as { metricStat: { metric: { dimensions: unknown } } }
        ).metricStat.metric.dimensions = {
          Environment: ns.environment,
          Service: ns.service_name,
        };
        const result = await run(runner, incidentHandler, event);
        expect(result.functionError, JSON.stringify(result.functionError)).toBeUndefined();
        expect(result.payload).toMatchObject({ actions: ["clear-cache", "rotate"] });
        expect(JSON.stringify((result.payload as { rotated: unknown }).rotated)).toMatch(/"version":2/);
        const current = await request(runner, { route: "configGet", ...key });
        registerSecret(String(current.body.value));
      }
    }
  });

  it("answers the audit, incident, cache and token routes", async () => {
    await both({ route: "tokenSelf", expect: 200 }, (a) => expect(a.body.name).toBe("test-admin"));
    await both({ route: "auditQuery", expect: 200 }, (a) => expect(Number(a.body.count)).toBeGreaterThan(0));
    await both({ route: "auditSummary", expect: 200 });
    await both({ route: "auditAnomalies", expect: 200 });
    await both({ route: "incidentList", expect: 200 });
    await both({ route: "vaultCacheClear", expect: 200 });
    // The dev root token does not expire and cannot be renewed.
    await both({ route: "vaultTokenRenew", expect: 400 }, (a) => expect(a.body.code).toBe("token_renewal_failed"));
    await both({ route: "configDelete", params: { key }, query: {}, expect: 200 });
    await both({ route: "configGet", params: { key }, query: {}, expect: 404 });
  });

  it("answers unknown paths (404) and methods (405) from the $default function", async () => {
    for (const runner of [source, lambda]) {
      const notFound = await run(
        runner,
        fallbackHandler,
        canonicalHttpEvent({ method: "GET", route: "$default", path: "/nope" }),
      );
      expect((notFound.payload as { statusCode: number }).statusCode).toBe(404);
      const wrongMethod = await run(
        runner,
        fallbackHandler,
        canonicalHttpEvent({ method: "PATCH", route: "$default", path: "/api/v1/vault/health" }),
      );
      expect((wrongMethod.payload as { statusCode: number; headers: Record<string, string> }).headers.allow).toBe(
        "GET",
      );
    }
  });

  it("runs every scheduled job on EventBridge's Scheduled Event and records the run", async () => {
    for (const job of Object.values(schedules)) {
      for (const runner of [source, lambda]) {
        const result = await run(runner, job.handler, scheduledEvent(job.handler));
        expect(
          result.functionError,
          `${runner.side} ${job.handler}: ${JSON.stringify(result.functionError)}`,
        ).toBeUndefined();
        expect((result.payload as { ok: boolean }).ok, `${runner.side} ${job.handler}`).toBe(true);
      }
    }
    const status = await both({ route: "vaultStatus", expect: 200 });
    expect(JSON.stringify(status.lambda.body)).toMatch(/"last_run_ok":true/);
  });

  it("handles CloudWatch's alarm event in the incident function, and refuses another event kind", async () => {
    for (const runner of [source, lambda]) {
      const event = fixture<{ alarmData: { alarmName: string; configuration: { description: string } } }>(
        "cloudwatch-alarm-action",
      );
      event.alarmData.alarmName = `vaultops-test-unusual-access-${runner.side}`;
      event.alarmData.configuration.description = "test alarm. vaultops:action=record";
      const result = await run(runner, incidentHandler, event);
      expect(result.functionError).toBeUndefined();
      expect(result.payload).toMatchObject({ alarm_name: event.alarmData.alarmName, state: "ALARM" });
      const refused = await run(runner, incidentHandler, scheduledEvent());
      expect(refused.functionError?.errorMessage).toMatch(/Not a CloudWatch alarm event/);
    }
  });

  it("fails the Secrets Manager rotation step of an unknown secret as a function error, never a crash", async () => {
    for (const runner of [source, lambda]) {
      const event = fixture("secrets-manager-rotation");
      event.SecretId = `vaultops-missing-${randomBytes(3).toString("hex")}`;
      const result = await run(runner, credentialRotationHandler, event);
      expect(result.functionError?.errorType, runner.side).toMatch(/ResourceNotFound/);
    }
  });

  it("runs each function with the memory and timeout infra declares", () => {
    const invoker = lambda.invoker as ReturnType<typeof lambdaInvoker>;
    const health = invoker.functions.get(routes.vaultHealth.handler);
    expect(health?.spec).toMatchObject({
      memoryMb: 512,
      timeoutSeconds: 15,
      bundleDir: path.join(outRoot, "vault-health"),
      handler: "bundle.handler",
    });
    expect(invoker.functions.get(authorizerHandler)?.spec.memoryMb).toBe(functionFor(authorizerHandler).memoryMb);
    expect(invoker.functions.get(schedules.healthCheck.handler)?.spec.timeoutSeconds).toBe(60);
  });
});
