/**
 * The bench's Lambda section: every function's bundle (dist/functions) under the AWS Lambda Runtime
 * Interface Emulator, as `VAULTOPS_RUNTIME=lambda npm run dev` runs it, beside a bare `@middy/core` +
 * DynamoDB DocumentClient GetItem handler built with the same options and run the same way.
 * - init: the emulator's `INIT REPORT` duration of a fresh environment (median of COLD_SAMPLES);
 * - warm: the `REPORT` duration of the function's main path, p50 of WARM_SAMPLES after a warm-up.
 */
import { randomBytes, randomUUID } from "node:crypto";
import path from "node:path";
import { routes } from "@vaultops/api";
import { type FunctionSpec, functionCatalogue, nodejsBuild } from "@vaultops/build-definition";
import { createContext, loadSettings } from "@vaultops/core";
import { gatewayEvent } from "../../packages/dev/src/gateway-event";
import { EmulatedFunction, type EmulatedFunctionSpec } from "../../packages/dev/src/lambda-emulator";
import { ensureLambdaTools, type LambdaTools } from "../../packages/dev/src/lambda-tools";
import { buildFunctions, builtFunction, ensureBundles, readManifest } from "../../packages/dev/src/sst-build";

const COLD_SAMPLES = 5;
const WARM_SAMPLES = 20;

export interface LambdaFunctionBench {
  name: string;
  main_path: string;
  init_ms: number;
  init_ratio: number;
  warm_p50_ms: number;
  /** The answers of the warm invocations: HTTP statuses, or ok / error for the other entry kinds. */
  outcomes: Record<string, number>;
}

export interface LambdaBench {
  node: string;
  cold_samples: number;
  warm_samples: number;
  reference_init_ms: number;
  reference_warm_p50_ms: number;
  max_init_ratio: number;
  functions: LambdaFunctionBench[];
  /** The five functions that load the most at init, built with splitting (infra's choice) and without. */
  build_choice?: BuildChoiceRow[];
  skipped?: string;
}

export interface BuildChoiceRow {
  name: string;
  splitting: { init_ms: number; warm_p50_ms: number; init_kb: number; zipped_kb: number };
  single_file: { init_ms: number; warm_p50_ms: number; init_kb: number; zipped_kb: number; init_error?: string };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};
const round = (n: number, digits = 2) => Number(n.toFixed(digits));

type Ns = { environment: string; service_name: string };

/** A payload 2.0 event as API Gateway passes it after the authorizer (admin context). */
export function httpEvent(
  route: keyof typeof routes,
  options: { params?: Record<string, string>; query?: Record<string, string>; body?: unknown } = {},
) {
  const r = routes[route];
  let pathname: string = r.path;
  for (const [k, v] of Object.entries(options.params ?? {})) pathname = pathname.replace(`{${k}}`, v);
  return gatewayEvent({
    method: r.method,
    path: pathname,
    routeKey: `${r.method} ${r.path}`,
    ...(options.query ? { query: options.query } : {}),
    ...(options.params ? { pathParameters: options.params } : {}),
    headers: { accept: "application/json", "content-type": "application/json" },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    userAgent: "bench",
    authorizer: r.scope === "public" ? null : benchAdmin,
  });
}

/** The authorizer's context of the bench's admin token, as it reaches a route. */
export const benchAdmin = { authenticated: true, principal: "bench", scopes: "admin" };

/** The main path of each function, as an event factory (called once per invocation). */
function mainPaths(ns: Ns, snapshotIds: string[]): Record<string, { label: string; event: (i: number) => unknown }> {
  const q = ns;
  const key = (k: string) => ({ params: { key: k }, query: q });
  const byRoute: Partial<Record<keyof typeof routes, { label: string; event: (i: number) => unknown }>> = {
    vaultHealth: { label: "GET, memoised health", event: () => httpEvent("vaultHealth") },
    vaultMetrics: { label: "GET JSON", event: () => httpEvent("vaultMetrics") },
    vaultStatus: { label: "GET", event: () => httpEvent("vaultStatus") },
    vaultCacheClear: { label: "POST", event: () => httpEvent("vaultCacheClear") },
    vaultTokenRenew: { label: "POST (root token: 400 not renewable)", event: () => httpEvent("vaultTokenRenew") },
    configCreate: {
      label: "POST a new key",
      event: () =>
        httpEvent("configCreate", { body: { key: `c-${randomBytes(5).toString("hex")}`, value: "v", ...ns } }),
    },
    configList: { label: "GET list of 60 keys", event: () => httpEvent("configList", { query: q }) },
    configStatus: { label: "GET", event: () => httpEvent("configStatus") },
    configCopy: {
      label: "POST a plan to aws (not routed here: 404)",
      event: () => httpEvent("configCopy", { body: { ...ns, from: "vault", to: "aws" } }),
    },
    configGet: { label: "GET a cached plain value, read audited", event: () => httpEvent("configGet", key("plain")) },
    configUpdate: {
      label: "PUT unconditional",
      event: (i) => httpEvent("configUpdate", { ...key("upd"), body: { value: `v${i}` } }),
    },
    configDelete: { label: "DELETE an existing key", event: (i) => httpEvent("configDelete", key(`del-${i}`)) },
    configVersions: { label: "GET", event: () => httpEvent("configVersions", key("upd")) },
    configRollback: {
      label: "POST to version 1",
      event: () => httpEvent("configRollback", { ...key("upd"), body: { version: 1 } }),
    },
    configRotationPut: {
      label: "PUT a policy",
      event: () =>
        httpEvent("configRotationPut", { ...key("rot"), body: { interval_days: 30, generator: { name: "alnum32" } } }),
    },
    configRotationGet: { label: "GET", event: () => httpEvent("configRotationGet", key("rot")) },
    configRotationDelete: {
      label: "DELETE (404 after the first)",
      event: () => httpEvent("configRotationDelete", key("rot")),
    },
    configRotate: { label: "POST rotate", event: () => httpEvent("configRotate", key("rot")) },
    configRotationHistory: { label: "GET", event: () => httpEvent("configRotationHistory", key("rot")) },
    rotationStatus: { label: "GET", event: () => httpEvent("rotationStatus") },
    snapshotCreate: {
      label: "POST of the bench prefix",
      event: () =>
        httpEvent("snapshotCreate", { body: { type: "full", prefix: `${ns.environment}/${ns.service_name}/` } }),
    },
    snapshotList: { label: "GET", event: () => httpEvent("snapshotList") },
    snapshotGet: { label: "GET", event: () => httpEvent("snapshotGet", { params: { id: snapshotIds[0] as string } }) },
    snapshotVerify: {
      label: "POST verify",
      event: () => httpEvent("snapshotVerify", { params: { id: snapshotIds[0] as string } }),
    },
    snapshotRestore: {
      label: "POST dry run",
      event: () => httpEvent("snapshotRestore", { params: { id: snapshotIds[0] as string } }),
    },
    snapshotDelete: {
      label: "DELETE",
      event: (i) => httpEvent("snapshotDelete", { params: { id: snapshotIds[i + 1] as string } }),
    },
    auditQuery: { label: "GET last 24 h", event: () => httpEvent("auditQuery") },
    auditSummary: { label: "GET", event: () => httpEvent("auditSummary") },
    auditAnomalies: { label: "GET", event: () => httpEvent("auditAnomalies") },
    incidentList: { label: "GET", event: () => httpEvent("incidentList") },
    tokenSelf: { label: "GET", event: () => httpEvent("tokenSelf") },
    openApi: { label: "GET", event: () => httpEvent("openApi") },
  };
  const out: Record<string, { label: string; event: (i: number) => unknown }> = {};
  for (const [id, path] of Object.entries(byRoute)) out[routes[id as keyof typeof routes].handler] = path;
  const scheduled = () => ({
    version: "0",
    id: randomUUID(),
    "detail-type": "Scheduled Event",
    source: "aws.events",
    detail: {},
  });
  for (const f of functionCatalogue.filter((f) => f.kind === "job"))
    out[f.handler] = { label: "Scheduled Event", event: scheduled };
  const authorizer = functionCatalogue.find((f) => f.kind === "authorizer") as FunctionSpec;
  out[authorizer.handler] = {
    label: "REQUEST authorizer, known token",
    event: () => ({
      type: "REQUEST",
      version: "2.0",
      identitySource: ["Bearer bench-token"],
      headers: { authorization: "Bearer bench-token" },
    }),
  };
  const incident = functionCatalogue.find((f) => f.kind === "incident") as FunctionSpec;
  out[incident.handler] = {
    label: "alarm event, record",
    event: (i) => ({
      source: "aws.cloudwatch",
      alarmArn: "arn:aws:cloudwatch:us-east-1:000000000000:alarm:bench",
      alarmData: {
        alarmName: `bench-${i}`,
        state: { value: "ALARM", reason: "bench" },
        configuration: { description: "vaultops:action=record" },
      },
    }),
  };
  const rotation = functionCatalogue.find((f) => f.kind === "credential-rotation") as FunctionSpec;
  out[rotation.handler] = {
    label: "rotation step of a secret that does not exist (refused)",
    event: () => ({ SecretId: "bench-missing", ClientRequestToken: randomUUID(), Step: "createSecret" }),
  };
  const fallback = functionCatalogue.find((f) => f.kind === "fallback") as FunctionSpec;
  out[fallback.handler] = {
    label: "unknown path: 404",
    event: () => ({ version: "2.0", rawPath: "/nope", requestContext: { http: { method: "GET", path: "/nope" } } }),
  };
  return out;
}

async function setup(env: Record<string, string>, ns: Ns): Promise<string[]> {
  const ctx = createContext(loadSettings({ ...env, LOG_LEVEL: "error" }));
  const actor = { name: "bench-setup" };
  const create = (key: string, value = "v") => ctx.config.create({ key, value, ...ns, is_encrypted: false }, actor);
  for (const k of ["plain", "upd", "rot"]) await create(k).catch(() => {});
  for (let i = 0; i < WARM_SAMPLES + COLD_SAMPLES + 2; i++) await create(`del-${i}`).catch(() => {});
  for (let i = 0; i < 60; i++) await create(`list-${i}`).catch(() => {});
  const ids: string[] = [];
  for (let i = 0; i < WARM_SAMPLES + 3; i++)
    ids.push((await ctx.snapshots.create({ type: "full", prefix: `${ns.environment}/${ns.service_name}/` }, actor)).id);
  ctx.clients.destroy();
  return ids;
}

/** The reference handler, built by SST's builder with infra's `nodejs` props as every function is. */
/**
 * A reference handler, built by SST's builder with infra's `nodejs` props as every function is: the bare
 * middy + GetItem one, or (`write`) the bare middy + PutItem of an audit-sized item.
 */
export async function referenceBundle(which: "read" | "write" = "read"): Promise<{ dir: string; handler: string }> {
  const [built] = await buildFunctions(
    [
      which === "read"
        ? { name: "reference", handler: "scripts/bench/bare-handler.handler" }
        : { name: "reference-write", handler: "scripts/bench/bare-write-handler.handler" },
    ],
    { outDir: path.resolve("dist/bench") },
  );
  if (!built) throw new Error("the reference handler was not built");
  return { dir: path.resolve(built.dir), handler: built.handler };
}

async function measure(
  spec: EmulatedFunctionSpec,
  tools: LambdaTools,
  event: (i: number) => unknown,
): Promise<{ initMs: number; warmP50: number; outcomes: Record<string, number>; initError?: string }> {
  const inits: number[] = [];
  for (let i = 0; i < COLD_SAMPLES; i++) {
    const fn = new EmulatedFunction(spec, tools, { maxEnvironments: 1 });
    try {
      const result = await fn.invoke(event(WARM_SAMPLES + i + 1));
      // A bundle that throws at init takes its environment down (the emulator answers 5xx): say what it
      // threw rather than print a time. A handler's own error (a refused job) is an answer, not this.
      if (result.functionError?.errorType === "Runtime.ExitError") {
        const inner = /"errorType":"([^"]*)","errorMessage":"([^"]*)"/.exec(result.functionError.errorMessage);
        const initError = inner ? `${inner[1]}: ${inner[2]}` : result.functionError.errorMessage;
        return { initMs: Number.NaN, warmP50: Number.NaN, outcomes: { error: 1 }, initError };
      }
      if (result.initMs !== undefined) inits.push(result.initMs);
    } finally {
      await fn.stop();
    }
  }
  const fn = new EmulatedFunction(spec, tools, { maxEnvironments: 1 });
  const durations: number[] = [];
  const outcomes: Record<string, number> = {};
  try {
    await fn.invoke(event(WARM_SAMPLES + COLD_SAMPLES + 1));
    for (let i = 0; i < WARM_SAMPLES; i++) {
      const result = await fn.invoke(event(i));
      const status = (result.payload as { statusCode?: number } | null)?.statusCode;
      const outcome = result.functionError ? "error" : status !== undefined ? String(status) : "ok";
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      if (result.durationMs !== undefined) durations.push(result.durationMs);
    }
  } finally {
    await fn.stop();
  }
  return { initMs: median(inits), warmP50: median(durations), outcomes };
}

export async function lambdaRuntime(
  base: Record<string, string>,
  ns: Ns,
  log: (line: string) => void,
): Promise<LambdaBench> {
  const { tools, missing } = await ensureLambdaTools(log);
  const empty = {
    node: "",
    cold_samples: 0,
    warm_samples: 0,
    reference_init_ms: 0,
    reference_warm_p50_ms: 0,
    max_init_ratio: 0,
    functions: [],
  };
  if (!tools) return { ...empty, skipped: `Lambda runtime missing: ${missing.join("; ")}` };
  await ensureBundles(log);
  const benchNs = { environment: ns.environment, service_name: `${ns.service_name}-lambda` };
  const env = {
    ...base,
    API_TOKEN: "bench-token",
    // The reference handler's bare DynamoDBClient finds the local endpoint the SDK's standard way.
    ...(base.DYNAMODB_ENDPOINT ? { AWS_ENDPOINT_URL_DYNAMODB: base.DYNAMODB_ENDPOINT } : {}),
    SNAPSHOT_DIR: path.resolve(".vaultops/bench-snapshots"),
    SNAPSHOT_KEY_FILE: path.resolve(".vaultops/bench-snapshot.key"),
  };
  log("bench: Lambda runtime: preparing keys and snapshots...");
  const snapshotIds = await setup(env, benchNs);
  const paths = mainPaths(benchNs, snapshotIds);
  const reference0 = await referenceBundle();
  log(
    `bench: Lambda runtime: reference (bare middy + DynamoDB GetItem), ${COLD_SAMPLES} cold starts + ${WARM_SAMPLES} warm...`,
  );
  const reference = await measure(
    {
      name: "reference",
      bundleDir: reference0.dir,
      handler: reference0.handler,
      memoryMb: 512,
      timeoutSeconds: 15,
      env,
    },
    tools,
    () => ({}),
  );
  const functions: LambdaFunctionBench[] = [];
  for (const f of functionCatalogue) {
    const main = paths[f.handler];
    if (!main) throw new Error(`no main path for ${f.handler}`);
    const built = builtFunction(f.name);
    const m = await measure(
      {
        name: f.name,
        bundleDir: built.dir,
        handler: built.handler,
        memoryMb: f.memoryMb,
        timeoutSeconds: f.timeoutSeconds,
        env,
      },
      tools,
      main.event,
    );
    functions.push({
      name: f.name,
      main_path: main.label,
      init_ms: round(m.initMs),
      init_ratio: round(m.initMs / reference.initMs),
      warm_p50_ms: round(m.warmP50),
      outcomes: m.outcomes,
    });
    log(`bench:   ${f.name.padEnd(26)} init ${m.initMs.toFixed(1)} ms   warm p50 ${m.warmP50.toFixed(2)} ms`);
  }
  const build_choice = await buildChoice(env, paths, tools, log);
  return {
    build_choice,
    node: tools.nodeVersion,
    cold_samples: COLD_SAMPLES,
    warm_samples: WARM_SAMPLES,
    reference_init_ms: round(reference.initMs),
    reference_warm_p50_ms: round(reference.warmP50),
    max_init_ratio: Math.max(...functions.map((f) => f.init_ratio)),
    functions,
  };
}

/**
 * Item 2 of the deploy-fidelity issue, measured: SST 3.19.3 with `splitting` needs the postbuild hook's
 * bundle.mjs; without splitting it writes one bundle.mjs. Both builds of the five heaviest functions
 * (by what they load at init), each under the emulator with its main path.
 */
async function buildChoice(
  env: Record<string, string>,
  paths: Record<string, { label: string; event: (i: number) => unknown }>,
  tools: LambdaTools,
  log: (line: string) => void,
): Promise<BuildChoiceRow[]> {
  const heaviest = [...readManifest().functions].sort((a, b) => b.initBytes - a.initBytes).slice(0, 5);
  log(`bench: build choice: ${heaviest.map((f) => f.name).join(", ")} without splitting...`);
  const single = await buildFunctions(
    heaviest.map((f) => ({ name: f.name, handler: f.source })),
    { outDir: path.resolve("dist/bench/single-file"), nodejs: { ...nodejsBuild, splitting: false } },
  );
  const rows: BuildChoiceRow[] = [];
  const kb = (n: number) => round(n / 1024, 1);
  for (const split of heaviest) {
    const one = single.find((f) => f.name === split.name);
    const spec = functionCatalogue.find((f) => f.name === split.name);
    const main = paths[split.source];
    if (!one || !spec || !main) continue;
    const run = (dir: string, handler: string) =>
      measure(
        {
          name: split.name,
          bundleDir: path.resolve(dir),
          handler,
          memoryMb: spec.memoryMb,
          timeoutSeconds: spec.timeoutSeconds,
          env,
        },
        tools,
        main.event,
      );
    const a = await run(split.dir, split.handler);
    const b = await run(one.dir, one.handler);
    rows.push({
      name: split.name,
      splitting: {
        init_ms: round(a.initMs),
        warm_p50_ms: round(a.warmP50),
        init_kb: kb(split.initBytes),
        zipped_kb: kb(split.totalBytes),
      },
      single_file: {
        init_ms: round(b.initMs),
        warm_p50_ms: round(b.warmP50),
        init_kb: kb(one.initBytes),
        zipped_kb: kb(one.totalBytes),
        ...(b.initError ? { init_error: b.initError } : {}),
      },
    });
    log(
      `bench:   ${split.name.padEnd(26)} splitting: init ${a.initMs.toFixed(1)} ms warm ${a.warmP50.toFixed(2)} ms   ${b.initError ? `one file fails at init: ${b.initError}` : `one file: init ${b.initMs.toFixed(1)} ms warm ${b.warmP50.toFixed(2)} ms`}`,
    );
  }
  return rows;
}

export function printLambda(bench: LambdaBench): string[] {
  if (bench.skipped) return [`Lambda runtime: skipped (${bench.skipped})`];
  const lines = [
    `Lambda runtime emulator, Node ${bench.node}: init = INIT REPORT (median of ${bench.cold_samples} cold starts), warm = REPORT p50 of ${bench.warm_samples}`,
    `  reference: bare middy + DynamoDB GetItem, same build   init ${bench.reference_init_ms.toFixed(1)} ms   warm p50 ${bench.reference_warm_p50_ms.toFixed(2)} ms`,
    "  function                    init ms   x ref   warm p50 ms   main path",
  ];
  for (const f of bench.functions) {
    lines.push(
      `  ${f.name.padEnd(26)} ${f.init_ms.toFixed(1).padStart(8)} ${f.init_ratio.toFixed(2).padStart(7)} ${f.warm_p50_ms.toFixed(2).padStart(13)}   ${f.main_path} [${Object.entries(
        f.outcomes,
      )
        .map(([k, n]) => `${k}x${n}`)
        .join(" ")}]`,
    );
  }
  lines.push(`  largest init ratio: ${bench.max_init_ratio.toFixed(2)}x the reference`);
  if (bench.build_choice?.length) {
    lines.push(
      "",
      "Build choice (SST 3.19.3's builder): splitting + postbuild bundle.mjs (infra) against one bundle.mjs",
    );
    lines.push("  function                    split: init ms  warm ms  init KB   one file: init ms  warm ms  init KB");
    for (const r of bench.build_choice) {
      const one = r.single_file.init_error
        ? `   fails at init: ${r.single_file.init_error.slice(0, 80)}`
        : `${r.single_file.init_ms.toFixed(1).padStart(19)} ${r.single_file.warm_p50_ms.toFixed(2).padStart(8)} ${r.single_file.init_kb.toFixed(0).padStart(8)}`;
      lines.push(
        `  ${r.name.padEnd(26)} ${r.splitting.init_ms.toFixed(1).padStart(15)} ${r.splitting.warm_p50_ms.toFixed(2).padStart(8)} ${r.splitting.init_kb.toFixed(0).padStart(8)} ${one}`,
      );
    }
  }
  return lines;
}
