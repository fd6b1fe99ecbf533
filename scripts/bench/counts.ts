/**
 * The bench's counted section: what one request of each kind costs, measured on what ships (every
 * function's bundle under the Lambda runtime emulator, as `VAULTOPS_RUNTIME=lambda` runs it) against
 * the local stack shaped as a deploy (Vault credentials and API tokens in Secrets Manager, CloudWatch
 * and EventBridge on, all on moto). Per request kind: DynamoDB calls and the capacity units DynamoDB
 * reports (ReturnConsumedCapacity), per key-space class; Vault requests (through a counting proxy);
 * Secrets Manager, CloudWatch, EventBridge, S3 and KMS calls; the emulator's REPORT duration; the log
 * bytes written. The first invocation (a cold container) and the repeated ones are reported apart.
 * Costs per million requests come from docs/aws-prices.json.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { functionName, scheduleList } from "@vaultops/api";
import { type FunctionSpec, functionCatalogue } from "@vaultops/build-definition";
import { createContext, loadSettings, type MeteredCall, type VaultopsContext } from "@vaultops/core";
import { provisionDeployedShape } from "../../packages/dev/src/deployed-shape";
import { gatewayAuthorizerEvent, gatewayEvent } from "../../packages/dev/src/gateway-event";
import { EmulatedFunction } from "../../packages/dev/src/lambda-emulator";
import { ensureLambdaTools, type LambdaTools } from "../../packages/dev/src/lambda-tools";
import { builtFunction, ensureBundles } from "../../packages/dev/src/sst-build";
import { httpEvent, referenceBundle } from "./lambda-runtime";
import { startVaultCounter } from "./vault-counter";

const REPEATS = 20;
const BENCH_TOKEN = "bench-admin-token";

interface Prices {
  region: string;
  as_of: string;
  per_request: Record<string, { usd: number; per: number }>;
}

/** What one invocation of a kind took, averaged over the invocations measured. */
export interface Usage {
  invocations: number;
  dynamodb: {
    calls: number;
    readUnits: number;
    writeUnits: number;
    byClass: Record<string, { calls: number; readUnits: number; writeUnits: number }>;
  };
  vault: { calls: number; byKind: Record<string, number> };
  secretsManager: number;
  cloudWatchPutMetricData: number;
  eventBridgeEvents: number;
  s3Put: number;
  s3Get: number;
  kms: number;
  durationMs: number;
  billedMs: number;
  logBytes: number;
}

export interface KindCounts {
  kind: string;
  function: string;
  memoryMb: number;
  /** Behind API Gateway (an HTTP request) or not (a schedule, the authorizer). */
  http: boolean;
  first: Usage;
  repeated: Usage;
  /** USD per million of the repeated kind, by what is charged. */
  costPerMillion: Record<string, number>;
}

export interface CountsBench {
  prices: { region: string; as_of: string };
  repeats: number;
  kinds: KindCounts[];
  /** Item 4 of the cost issue, in this run: the cached audited GET against the bare handler. */
  /**
   * Item 4 of the cost issue, in this run: the warm cached, audited GET against bare middy handlers that
   * make one DynamoDB call, a GetItem and a PutItem of an audit-sized item (the call the GET makes),
   * invoked in turn, `samples` rounds, medians.
   */
  cached_get_vs_bare: {
    samples: number;
    cached_ms: number;
    bare_read_ms: number;
    bare_write_ms: number;
    ratio_to_read: number;
    ratio_to_write: number;
    cached_dynamodb_calls: number;
  };
  list_cold_vs_warm: Array<{
    keys: number;
    sensitive: boolean;
    cold_ms: number;
    warm_ms: number;
    ratio: number;
    cost_ratio: number;
  }>;
  skipped?: string;
}

type Ns = { environment: string; service_name: string };

interface Kind {
  kind: string;
  /** The function (catalogue name) or "reference" (the bare handler). */
  fn: string;
  http: boolean;
  /** Prepares what the invocations need; returns the event of invocation i (0 is the first, cold). */
  prepare(ctx: VaultopsContext): Promise<(i: number) => unknown>;
  /** Invocations measured (the first included). */
  count?: number;
}

export async function requestCounts(
  services: { vaultAddr: string; vaultToken: string; awsEndpoint: string; env: Record<string, string> },
  log: (line: string) => void,
): Promise<CountsBench> {
  const prices = JSON.parse(readFileSync("docs/aws-prices.json", "utf8")) as Prices;
  const empty = (skipped: string): CountsBench => ({
    prices: { region: prices.region, as_of: prices.as_of },
    repeats: REPEATS,
    kinds: [],
    cached_get_vs_bare: {
      samples: 0,
      cached_ms: 0,
      bare_read_ms: 0,
      bare_write_ms: 0,
      ratio_to_read: 0,
      ratio_to_write: 0,
      cached_dynamodb_calls: 0,
    },
    list_cold_vs_warm: [],
    skipped,
  });
  const { tools, missing } = await ensureLambdaTools(log);
  if (!tools) return empty(`Lambda runtime missing: ${missing.join("; ")}`);
  if (!services.awsEndpoint) return empty("moto is not running");
  await ensureBundles(log);
  const vault = await startVaultCounter(services.vaultAddr);
  const meterLog = path.resolve(`.vaultops/bench-meter-${process.pid}.jsonl`);
  writeFileSync(meterLog, "");
  const shape = await provisionDeployedShape({
    endpoint: services.awsEndpoint,
    vaultToken: services.vaultToken,
    tokens: [{ name: "bench", token: BENCH_TOKEN, scopes: ["admin"] }],
  });
  const env: Record<string, string> = {
    ...services.env,
    ...shape,
    VAULT_ADDR: vault.addr,
    AWS_ENDPOINT_URL: services.awsEndpoint,
    // EMF lines are what CloudWatch Logs ingests in AWS: counted as log bytes.
    EMF_ENABLED: "true",
    LOG_LEVEL: "info",
    VAULTOPS_AWS_METER_LOG: meterLog,
    ...(services.env.DYNAMODB_ENDPOINT ? { AWS_ENDPOINT_URL_DYNAMODB: services.env.DYNAMODB_ENDPOINT } : {}),
  };
  // The bench's own context sets things up; its calls are not metered (it is not a function).
  const setupEnv = { ...env, VAULT_ADDR: services.vaultAddr, VAULTOPS_AWS_METER_LOG: "" };
  const ctx = createContext(loadSettings({ ...setupEnv, LOG_LEVEL: "error" }));
  const actor = { name: "bench-setup" };
  const ns: Ns = { environment: "bench", service_name: `counts-${randomBytes(3).toString("hex")}` };
  const direct = (n: Ns, key: string, value: string, sensitive = false) =>
    ctx.gateway.request("kv_write", {
      method: "POST",
      path: `/secret/data/${n.environment}/${n.service_name}/${key}`,
      json: { data: { value, is_encrypted: sensitive } },
    });
  const fresh = (prefix: string): Ns => ({
    environment: "bench",
    service_name: `${prefix}-${randomBytes(3).toString("hex")}`,
  });
  const keyQuery = (key: string, n: Ns = ns) => ({ params: { key }, query: n });
  const listServices: Record<string, Ns[]> = {};
  const listKinds: Kind[] = [];
  for (const sensitive of [false, true]) {
    const label = `list page, 100 keys, ${sensitive ? "sensitive" : "plain"}`;
    const tag = sensitive ? "sens" : "plain";
    listKinds.push(
      {
        kind: `${label}: first read (nothing cached)`,
        fn: "config-list",
        http: true,
        count: 5,
        async prepare() {
          const made: Ns[] = [];
          for (let s = 0; s < 5; s++) {
            const n = fresh(`list-${tag}`);
            await Promise.all(
              Array.from({ length: 100 }, (_, i) =>
                direct(n, `k${String(i).padStart(3, "0")}`, `value-${i}`, sensitive),
              ),
            );
            made.push(n);
          }
          listServices[tag] = made;
          return (i) => httpEvent("configList", { query: { ...(made[i % made.length] as Ns), limit: "50" } });
        },
      },
      {
        kind: `${label}: again (cached)`,
        fn: "config-list",
        http: true,
        async prepare() {
          const n = (listServices[tag] ?? [])[0] as Ns;
          return () => httpEvent("configList", { query: { ...n, limit: "50" } });
        },
      },
    );
  }
  const kinds: Kind[] = [
    {
      kind: "GET config, cached (in memory), read audited",
      fn: "config-get",
      http: true,
      async prepare(c) {
        await c.config.create({ key: "plain", value: "v".repeat(64), ...ns, is_encrypted: false }, actor);
        return () => httpEvent("configGet", keyQuery("plain"));
      },
    },
    {
      kind: "GET config, in the shared tier only (another container read it)",
      fn: "config-get",
      http: true,
      async prepare(c) {
        const n = fresh("shared");
        await Promise.all(Array.from({ length: REPEATS + 1 }, (_, i) => direct(n, `s${i}`, `value-${i}`)));
        for (let i = 0; i <= REPEATS; i++) await c.config.get({ ...n, key: `s${i}` });
        return (i) => httpEvent("configGet", keyQuery(`s${i}`, n));
      },
    },
    {
      kind: "GET config, nothing cached (Vault read, shared tier filled)",
      fn: "config-get",
      http: true,
      async prepare() {
        const n = fresh("miss");
        await Promise.all(Array.from({ length: REPEATS + 1 }, (_, i) => direct(n, `m${i}`, `value-${i}`)));
        return (i) => httpEvent("configGet", keyQuery(`m${i}`, n));
      },
    },
    {
      kind: "GET config, sensitive (read from Vault every time)",
      fn: "config-get",
      http: true,
      async prepare(c) {
        await c.config.create({ key: "secret", value: "s".repeat(64), ...ns, is_encrypted: true }, actor);
        return () => httpEvent("configGet", keyQuery("secret"));
      },
    },
    ...listKinds,
    {
      kind: "PUT config (a new version, unconditional)",
      fn: "config-update",
      http: true,
      async prepare(c) {
        await c.config.create({ key: "written", value: "v0", ...ns, is_encrypted: false }, actor);
        return (i) => httpEvent("configUpdate", { ...keyQuery("written"), body: { value: `v${i + 1}` } });
      },
    },
    {
      kind: "POST config (a new key)",
      fn: "config-create",
      http: true,
      async prepare() {
        return (i) =>
          httpEvent("configCreate", { body: { key: `new-${i}-${randomBytes(3).toString("hex")}`, value: "v", ...ns } });
      },
    },
    {
      kind: "GET /vault/health (public, memoised)",
      fn: "vault-health",
      http: true,
      async prepare() {
        return () => httpEvent("vaultHealth");
      },
    },
    {
      kind: "authorizer (an API Gateway cache miss, known token)",
      fn: "auth-authorizer",
      http: false,
      async prepare() {
        return () =>
          gatewayAuthorizerEvent(
            gatewayEvent({
              method: "GET",
              path: "/api/v1/vault/status",
              headers: { authorization: `Bearer ${BENCH_TOKEN}` },
            }),
            `Bearer ${BENCH_TOKEN}`,
          );
      },
    },
    ...scheduleList.map(
      (job): Kind => ({
        kind: `scheduled job ${job.name}, one run`,
        fn: functionName(job.handler),
        http: false,
        count: 3,
        async prepare() {
          return () => ({
            version: "0",
            id: randomUUID(),
            "detail-type": "Scheduled Event",
            source: "aws.events",
            detail: {},
          });
        },
      }),
    ),
  ];

  const results: KindCounts[] = [];
  let comparison: Omit<CountsBench["cached_get_vs_bare"], "cached_dynamodb_calls"> | undefined;
  try {
    log("bench:   the cached GET against the bare handlers, in turn...");
    comparison = await cachedGetAgainstBare(tools, env, ctx, ns);
    for (const kind of kinds) {
      const f = functionCatalogue.find((c) => c.name === kind.fn);
      if (!f) throw new Error(`no function ${kind.fn}`);
      const built = builtFunction(f.name);
      const spec = {
        name: f.name,
        dir: built.dir,
        handler: built.handler,
        memoryMb: f.memoryMb,
        timeoutSeconds: f.timeoutSeconds,
      };
      const event = await kind.prepare(ctx);
      let logBytes = 0;
      const fn = new EmulatedFunction(
        {
          name: spec.name,
          bundleDir: spec.dir,
          handler: spec.handler,
          memoryMb: spec.memoryMb,
          timeoutSeconds: spec.timeoutSeconds,
          env,
        },
        tools,
        { maxEnvironments: 1, log: (line) => (logBytes += Buffer.byteLength(line) + 1) },
      );
      const count = kind.count ?? REPEATS + 1;
      const samples: Usage[] = [];
      try {
        for (let i = 0; i < count; i++) {
          const before = { meter: statSync(meterLog).size, vault: vault.counts(), logBytes };
          const result = await fn.invoke(event(i));
          const status = (result.payload as { statusCode?: number } | null)?.statusCode;
          if (result.functionError || (status !== undefined && status >= 400))
            throw new Error(`${kind.kind}: invocation ${i} answered ${result.functionError?.errorMessage ?? status}`);
          // Appends from the function's process land before its answer: the meter is complete here.
          const lines = readFileSync(meterLog).subarray(before.meter).toString().split("\n").filter(Boolean);
          samples.push(
            usage(
              lines.map((l) => JSON.parse(l) as MeteredCall),
              diff(vault.counts(), before.vault),
              result.durationMs ?? 0,
              logBytes - before.logBytes,
            ),
          );
        }
      } finally {
        await fn.stop();
      }
      const first = samples[0] as Usage;
      const repeated = average(samples.slice(1));
      results.push({
        kind: kind.kind,
        function: spec.name,
        memoryMb: spec.memoryMb,
        http: kind.http,
        first,
        repeated,
        costPerMillion: costPerMillion(repeated, spec.memoryMb, kind.http, prices),
      });
      log(
        `bench:   ${kind.kind.padEnd(64)} ${repeated.durationMs.toFixed(2).padStart(8)} ms  DynamoDB ${repeated.dynamodb.calls.toFixed(2)} calls ${repeated.dynamodb.readUnits.toFixed(1)} RRU ${repeated.dynamodb.writeUnits.toFixed(1)} WRU  Vault ${repeated.vault.calls.toFixed(1)}`,
      );
    }
  } finally {
    await vault.stop();
    ctx.clients.destroy();
  }
  const find = (prefix: string) => results.find((r) => r.kind.startsWith(prefix));
  const cached = find("GET config, cached");
  const lists: CountsBench["list_cold_vs_warm"] = [];
  for (const sensitive of [false, true]) {
    const label = `list page, 100 keys, ${sensitive ? "sensitive" : "plain"}`;
    const cold = find(`${label}: first`);
    const warm = find(`${label}: again`);
    if (!cold || !warm) continue;
    const total = (k: KindCounts) => Object.values(k.costPerMillion).reduce((a, b) => a + b, 0);
    lists.push({
      keys: 100,
      sensitive,
      cold_ms: round(cold.repeated.durationMs),
      warm_ms: round(warm.repeated.durationMs),
      ratio: round(cold.repeated.durationMs / warm.repeated.durationMs),
      cost_ratio: round(total(cold) / total(warm)),
    });
  }
  return {
    prices: { region: prices.region, as_of: prices.as_of },
    repeats: REPEATS,
    kinds: results,
    cached_get_vs_bare: {
      ...(comparison ?? empty("").cached_get_vs_bare),
      cached_dynamodb_calls: round(cached?.repeated.dynamodb.calls ?? 0),
    },
    list_cold_vs_warm: lists,
  };
}

const round = (n: number, digits = 2) => Number(n.toFixed(digits));
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

const COMPARISON_SAMPLES = 200;

/** The three handlers warm, then invoked in turn (the order rotating), so that all see the same machine. */
async function cachedGetAgainstBare(
  tools: LambdaTools,
  env: Record<string, string>,
  ctx: VaultopsContext,
  ns: Ns,
): Promise<Omit<CountsBench["cached_get_vs_bare"], "cached_dynamodb_calls">> {
  await ctx.config.create({ key: "compared", value: "v".repeat(64), ...ns, is_encrypted: false }, { name: "bench" });
  const get = functionCatalogue.find((f) => f.name === "config-get") as FunctionSpec;
  const built = builtFunction(get.name);
  const [read, write] = [await referenceBundle("read"), await referenceBundle("write")];
  const make = (name: string, dir: string, handler: string) =>
    new EmulatedFunction(
      { name, bundleDir: dir, handler, memoryMb: get.memoryMb, timeoutSeconds: get.timeoutSeconds, env },
      tools,
      { maxEnvironments: 1 },
    );
  const fns = [
    {
      fn: make(get.name, built.dir, built.handler),
      event: () => httpEvent("configGet", { params: { key: "compared" }, query: ns }),
      ms: [] as number[],
    },
    { fn: make("reference", read.dir, read.handler), event: () => ({}), ms: [] as number[] },
    { fn: make("reference-write", write.dir, write.handler), event: () => ({}), ms: [] as number[] },
  ];
  try {
    for (let i = 0; i < 30; i++) for (const f of fns) await f.fn.invoke(f.event());
    for (let i = 0; i < COMPARISON_SAMPLES; i++)
      for (let j = 0; j < fns.length; j++) {
        const f = fns[(i + j) % fns.length] as (typeof fns)[number];
        const result = await f.fn.invoke(f.event());
        if (result.functionError) throw new Error(`${f.fn.spec.name}: ${result.functionError.errorMessage}`);
        if (result.durationMs !== undefined) f.ms.push(result.durationMs);
      }
  } finally {
    await Promise.all(fns.map((f) => f.fn.stop()));
  }
  const [cached, bareRead, bareWrite] = fns.map((f) => median(f.ms)) as [number, number, number];
  return {
    samples: COMPARISON_SAMPLES,
    cached_ms: round(cached),
    bare_read_ms: round(bareRead),
    bare_write_ms: round(bareWrite),
    ratio_to_read: round(cached / bareRead),
    ratio_to_write: round(cached / bareWrite),
  };
}

function diff(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) if (v - (before[k] ?? 0) > 0) out[k] = v - (before[k] ?? 0);
  return out;
}

function usage(calls: MeteredCall[], vaultCalls: Record<string, number>, durationMs: number, logBytes: number): Usage {
  const u: Usage = {
    invocations: 1,
    dynamodb: { calls: 0, readUnits: 0, writeUnits: 0, byClass: {} },
    vault: { calls: Object.values(vaultCalls).reduce((a, b) => a + b, 0), byKind: vaultCalls },
    secretsManager: 0,
    cloudWatchPutMetricData: 0,
    eventBridgeEvents: 0,
    s3Put: 0,
    s3Get: 0,
    kms: 0,
    durationMs,
    billedMs: Math.ceil(durationMs),
    logBytes,
  };
  for (const call of calls) {
    if (call.service === "dynamodb") {
      u.dynamodb.calls++;
      u.dynamodb.readUnits += call.readUnits ?? 0;
      u.dynamodb.writeUnits += call.writeUnits ?? 0;
      const cls = (call.classes ?? ["-"]).join("+");
      const c = u.dynamodb.byClass[cls] ?? { calls: 0, readUnits: 0, writeUnits: 0 };
      u.dynamodb.byClass[cls] = c;
      c.calls++;
      c.readUnits += call.readUnits ?? 0;
      c.writeUnits += call.writeUnits ?? 0;
    } else if (call.service === "secretsmanager") u.secretsManager++;
    else if (call.service === "cloudwatch") u.cloudWatchPutMetricData++;
    else if (call.service === "events") u.eventBridgeEvents++;
    else if (call.service === "s3") {
      if (/^(Put|Delete|List|Copy)/.test(call.action)) u.s3Put++;
      else u.s3Get++;
    } else if (call.service === "kms") u.kms++;
  }
  return u;
}

/** The mean of several invocations' usage (numbers averaged, per class and per kind too). */
function average(samples: Usage[]): Usage {
  const n = samples.length || 1;
  const sum = (f: (u: Usage) => number) => samples.reduce((a, u) => a + f(u), 0) / n;
  const byClass: Usage["dynamodb"]["byClass"] = {};
  const byKind: Record<string, number> = {};
  for (const s of samples) {
    for (const [cls, c] of Object.entries(s.dynamodb.byClass)) {
      const t = byClass[cls] ?? { calls: 0, readUnits: 0, writeUnits: 0 };
      byClass[cls] = t;
      t.calls += c.calls / n;
      t.readUnits += c.readUnits / n;
      t.writeUnits += c.writeUnits / n;
    }
    for (const [k, v] of Object.entries(s.vault.byKind)) byKind[k] = (byKind[k] ?? 0) + v / n;
  }
  const durations = samples.map((s) => s.durationMs).sort((a, b) => a - b);
  const p50 = durations[Math.floor(durations.length / 2)] ?? 0;
  return {
    invocations: samples.length,
    dynamodb: {
      calls: sum((u) => u.dynamodb.calls),
      readUnits: sum((u) => u.dynamodb.readUnits),
      writeUnits: sum((u) => u.dynamodb.writeUnits),
      byClass,
    },
    vault: { calls: sum((u) => u.vault.calls), byKind },
    secretsManager: sum((u) => u.secretsManager),
    cloudWatchPutMetricData: sum((u) => u.cloudWatchPutMetricData),
    eventBridgeEvents: sum((u) => u.eventBridgeEvents),
    s3Put: sum((u) => u.s3Put),
    s3Get: sum((u) => u.s3Get),
    kms: sum((u) => u.kms),
    // The duration is the median (one slow invocation says little of the usual cost); billed per 1 ms.
    durationMs: p50,
    billedMs: Math.ceil(p50),
    logBytes: sum((u) => u.logBytes),
  };
}

/** USD per million requests of this kind, by what AWS charges for. */
export function costPerMillion(u: Usage, memoryMb: number, http: boolean, prices: Prices): Record<string, number> {
  const p = (name: string) => {
    const price = prices.per_request[name];
    if (!price) throw new Error(`docs/aws-prices.json has no ${name}`);
    return (price.usd / price.per) * 1_000_000;
  };
  return {
    api_gateway: http ? p("api_gateway_http_request") : 0,
    lambda: p("lambda_request") + (u.billedMs / 1000) * (memoryMb / 1024) * p("lambda_gb_second_arm64"),
    dynamodb:
      u.dynamodb.readUnits * p("dynamodb_read_request_unit") + u.dynamodb.writeUnits * p("dynamodb_write_request_unit"),
    secrets_manager: u.secretsManager * p("secrets_manager_api_call"),
    cloudwatch:
      u.cloudWatchPutMetricData * p("cloudwatch_put_metric_data") +
      (u.logBytes / 1024 ** 3) * p("cloudwatch_logs_ingested_gb"),
    eventbridge: u.eventBridgeEvents * p("eventbridge_event"),
    s3_kms: u.s3Put * p("s3_put_request") + u.s3Get * p("s3_get_request") + u.kms * p("kms_request"),
  };
}

export function printCounts(bench: CountsBench): string[] {
  if (bench.skipped) return [`Request counts: skipped (${bench.skipped})`];
  const lines = [
    `What one request costs: built bundles under the Lambda runtime emulator, the local stack shaped as a deploy; mean of ${bench.repeats} repeated invocations after the first (duration: median)`,
    "  kind                                                              ms   DynamoDB calls   RRU    WRU  Vault  SM   CW  EB  log B",
  ];
  for (const k of bench.kinds) {
    const r = k.repeated;
    lines.push(
      `  ${k.kind.padEnd(64)} ${r.durationMs.toFixed(2).padStart(6)} ${r.dynamodb.calls.toFixed(2).padStart(9)} ${r.dynamodb.readUnits.toFixed(1).padStart(11)} ${r.dynamodb.writeUnits.toFixed(1).padStart(6)} ${r.vault.calls.toFixed(1).padStart(6)} ${r.secretsManager.toFixed(1).padStart(4)} ${r.cloudWatchPutMetricData.toFixed(1).padStart(4)} ${r.eventBridgeEvents.toFixed(1).padStart(3)} ${r.logBytes.toFixed(0).padStart(6)}`,
    );
  }
  lines.push("", "  first invocation of each kind (a cold container: init, Vault login, token list, first sync)");
  for (const k of bench.kinds) {
    const f = k.first;
    lines.push(
      `  ${k.kind.padEnd(64)} ${f.durationMs.toFixed(2).padStart(6)} ${f.dynamodb.calls.toFixed(0).padStart(9)} ${f.dynamodb.readUnits.toFixed(1).padStart(11)} ${f.dynamodb.writeUnits.toFixed(1).padStart(6)} ${f.vault.calls.toFixed(0).padStart(6)} ${f.secretsManager.toFixed(0).padStart(4)} ${f.cloudWatchPutMetricData.toFixed(0).padStart(4)} ${f.eventBridgeEvents.toFixed(0).padStart(3)} ${f.logBytes.toFixed(0).padStart(6)}`,
    );
  }
  lines.push(
    "",
    `USD per million requests (${bench.prices.region}, prices of ${bench.prices.as_of}, docs/aws-prices.json; Lambda arm64 at each function's memory)`,
    "  kind                                                          API GW  Lambda  DynamoDB    SM    CW    EB  S3/KMS   total",
  );
  for (const k of bench.kinds) {
    const c = k.costPerMillion;
    const total = Object.values(c).reduce((a, b) => a + b, 0);
    lines.push(
      `  ${k.kind.padEnd(60)} ${[
        c.api_gateway,
        c.lambda,
        c.dynamodb,
        c.secrets_manager,
        c.cloudwatch,
        c.eventbridge,
        c.s3_kms,
      ]
        .map((v, i) => (v ?? 0).toFixed(2).padStart([8, 7, 9, 6, 6, 6, 7][i] as number))
        .join(" ")} ${total.toFixed(2).padStart(7)}`,
    );
  }
  const g = bench.cached_get_vs_bare;
  lines.push(
    "",
    `Cached audited GET, warm, median of ${g.samples} invoked in turn with bare middy handlers making one DynamoDB call:`,
    `  ${g.cached_ms} ms; bare + PutItem of an audit-sized item (the call it makes) ${g.bare_write_ms} ms (${g.ratio_to_write}x); bare + GetItem ${g.bare_read_ms} ms (${g.ratio_to_read}x); ${g.cached_dynamodb_calls} DynamoDB calls a request`,
  );
  for (const l of bench.list_cold_vs_warm)
    lines.push(
      `List page (limit 50 of ${l.keys} ${l.sensitive ? "sensitive" : "plain"} keys): first read ${l.cold_ms} ms, again ${l.warm_ms} ms (${l.ratio}x the time, ${l.cost_ratio}x the cost)`,
    );
  return lines;
}
