/**
 * The capacity model: a synthetic workload replayed through the real handlers and services (each
 * simulated container a real context from `createContext`), on a state table and a Vault in memory, on
 * a simulated clock. The table counts every call's capacity units per partition key and second, with
 * the keys the stores build from the real key space; the model reports each key class's busiest
 * partition against DynamoDB's per-partition throughput, and the first limit the workload meets.
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import { routes, schedules } from "@vaultops/api";
import {
  type AwsClients,
  type CapacityPlan,
  type Clock,
  capacityPlan,
  createContext,
  createLogger,
  loadSettings,
  PARTITION_READ_UNITS,
  PARTITION_WRITE_UNITS,
  StateTable,
  type VaultopsContext,
} from "@vaultops/core";
import { leadingKeyClass } from "@vaultops/core/key-space";
import { repoRoot } from "../paths";
import { MemoryKv } from "./memory-kv";
import { MemoryTable } from "./memory-table";

export interface Workload {
  /** Audited config reads a second (GET of one key), all containers together. */
  readsPerSecond: number;
  /** Warm containers serving the reads. */
  containers: number;
  keys: number;
  /** The keys are spread evenly over this many services (`model/svc-<n>`). */
  services: number;
  /** Share of keys that are sensitive (read from Vault every time). */
  sensitiveShare: number;
  /** Config writes (PUT) a second, from a pool of containers of their own. */
  writesPerSecond: number;
  /** List pages (limit 50) a second, from a pool of containers of their own. */
  listsPerSecond: number;
  /** Zipf exponent of key popularity (1: a few keys take most reads). */
  zipf: number;
  /** Simulated seconds; the first WARMUP_SECONDS (cold containers) are reported apart. */
  seconds: number;
  /** The shard layout; default: what CAPACITY_* of this workload derive (capacity.ts). */
  plan?: CapacityPlan;
  /**
   * Counters flushed at the end of every request that touched Vault, as vaultops did before its
   * capacity work (today they are flushed at most every COUNTER_FLUSH_MS, alerts' counts at once).
   */
  flushPerVaultRequest?: boolean;
}

export interface ClassPeak {
  /** The key-space class (`audit#*`, `sync#*`, ...). */
  keyClass: string;
  partitions: number;
  /** The busiest partition of the class in its busiest second, after the warm-up. */
  peakReadUnits: number;
  peakWriteUnits: number;
  /**
   * Share of DynamoDB's per-partition throughput that partition took in that second: read units over
   * 3,000 plus write units over 1,000 (the limits combine).
   */
  share: number;
  /** The same during the warm-up (every container cold). */
  warmupShare: number;
  /** Where and when: the busiest partition key and the simulated second. */
  busiest: { partitionKey: string; second: number };
  /** Units a second over every partition of the class, mean after the warm-up. */
  readUnitsPerSecond: number;
  writeUnitsPerSecond: number;
}

export interface ModelResult {
  workload: Workload;
  plan: CapacityPlan;
  classes: ClassPeak[];
  /** The class whose busiest partition is nearest its limit, and the reads a second at which it meets it. */
  firstLimit: { keyClass: string; share: number; atReadsPerSecond: number };
  /** Mean per config read (GET) after the warm-up. */
  perRead: { dynamodbCalls: number; readUnits: number; writeUnits: number; vaultReads: number };
  vaultReadsPerSecond: number;
  requests: number;
  wallSeconds: number;
}

export const WARMUP_SECONDS = 5;

/** The settings every model container runs with (besides CAPACITY_*): no AWS besides the table, quiet. */
export const MODEL_SETTINGS = {
  STAGE: "model",
  TABLE_NAME: "vaultops-model",
  AWS_REGION: "us-east-1",
  VAULT_ADDR: "http://vault.model:8200",
  VAULT_AUTH_METHOD: "token",
  VAULT_TOKEN: "model",
  LOG_LEVEL: "error",
  EMF_ENABLED: "false",
  CLOUDWATCH_ENABLED: "false",
  EVENTS_ENABLED: "false",
} as const;

/** One simulated container: a real context on the model's table and Vault. */
export function modelContext(
  env: Record<string, string>,
  parts: { table: MemoryTable; kv: MemoryKv; clock?: Clock; plan?: CapacityPlan },
): VaultopsContext {
  const clients = { documentClient: async () => parts.table.client } as unknown as AwsClients;
  const settings = loadSettings(env);
  return createContext(settings, {
    ...(parts.clock ? { clock: parts.clock } : {}),
    logger: createLogger({ service: "model" }, "error"),
    vaultKv: parts.kv,
    table: new StateTable(clients, settings.TABLE_NAME),
    ...(parts.plan ? { plan: parts.plan } : {}),
  });
}

type Handler = (event: unknown, context: unknown) => Promise<{ statusCode: number }>;

export async function handlerFactory(spec: string): Promise<(ctx: () => VaultopsContext) => Handler> {
  const file = spec.slice(0, spec.lastIndexOf("."));
  const mod = (await import(pathToFileURL(path.join(repoRoot, `${file}.ts`)).href)) as {
    createHandler: (ctx: () => VaultopsContext) => Handler;
  };
  return mod.createHandler;
}

/** A deterministic generator (runs are repeatable). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1_664_525 + 1_013_904_223) >>> 0;
    return s / 4_294_967_296;
  };
}

/** Ranks 0..n-1 drawn with probability proportional to 1/(rank+1)^s, by inverse CDF. */
function zipf(n: number, s: number, next: () => number): () => number {
  const cdf = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    total += 1 / (i + 1) ** s;
    cdf[i] = total;
  }
  return () => {
    const r = next() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cdf[mid] as number) < r) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

const event = (
  route: keyof typeof routes,
  options: { params?: Record<string, string>; query?: Record<string, string>; body?: unknown },
  requestId: string,
) => {
  const r = routes[route];
  let rawPath: string = r.path;
  for (const [k, v] of Object.entries(options.params ?? {})) rawPath = rawPath.replace(`{${k}}`, v);
  return {
    version: "2.0",
    routeKey: `${r.method} ${r.path}`,
    rawPath,
    rawQueryString: new URLSearchParams(options.query ?? {}).toString(),
    headers: { "content-type": "application/json" },
    ...(options.query ? { queryStringParameters: options.query } : {}),
    ...(options.params ? { pathParameters: options.params } : {}),
    requestContext: {
      http: { method: r.method, path: rawPath, protocol: "HTTP/1.1", sourceIp: "10.0.0.1", userAgent: "model" },
      requestId,
      routeKey: `${r.method} ${r.path}`,
      stage: "$default",
      timeEpoch: 0,
      authorizer: { lambda: { authenticated: true, principal: "service", scopes: "admin" } },
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    isBase64Encoded: false,
  };
};

export async function runModel(workload: Workload, progress: (line: string) => void = () => {}): Promise<ModelResult> {
  const started = Date.now();
  let now = Date.parse("2026-12-01T12:00:00Z");
  const t0 = now;
  const clock: Clock = { now: () => now };
  const table = new MemoryTable(() => Math.floor((now - t0) / 1000));
  const kv = new MemoryKv(() => now);
  const baseSettings = {
    ...MODEL_SETTINGS,
    CAPACITY_READS_PER_SECOND: String(workload.readsPerSecond),
    CAPACITY_CONTAINERS: String(workload.containers),
  };
  const settings = loadSettings(baseSettings);
  const plan =
    workload.plan ??
    capacityPlan({
      readsPerSecond: workload.readsPerSecond,
      containers: workload.containers,
      generationCheckMs: settings.CACHE_GENERATION_CHECK_MS,
      counterFlushMs: settings.COUNTER_FLUSH_MS,
    });
  const makeContext = () => modelContext(baseSettings, { table, kv, clock, plan });

  // Keys: `model/svc-<n>/k<i>`, the sensitive share spread evenly.
  const ns = (i: number) => ({ environment: "model", service_name: `svc-${i % workload.services}` });
  const sensitiveEvery = workload.sensitiveShare > 0 ? Math.round(1 / workload.sensitiveShare) : 0;
  for (let i = 0; i < workload.keys; i++) {
    const n = ns(i);
    kv.external(`${n.environment}/${n.service_name}/k${i}`, {
      value: `value-${i}`,
      is_encrypted: sensitiveEvery > 0 && i % sensitiveEvery === 0,
    });
  }

  const [get, update, list] = await Promise.all([
    handlerFactory(routes.configGet.handler),
    handlerFactory(routes.configUpdate.handler),
    handlerFactory(routes.configList.handler),
  ]);
  const pool = (size: number, factory: (ctx: () => VaultopsContext) => Handler) =>
    Array.from({ length: size }, () => {
      const ctx = makeContext();
      return { ctx, handle: factory(() => ctx) };
    });
  const readers = pool(workload.containers, get);
  const writers = pool(Math.max(1, Math.ceil(workload.containers / 100)), update);
  const listers = pool(Math.max(1, Math.ceil(workload.containers / 100)), list);
  // The cache sweep, as EventBridge runs it every 5 minutes (here once, half-way through, so that its
  // reads show against the request load). The health job's few writes a minute are left out: it talks
  // to Vault's sys/ endpoints, which the model has no stand-in for.
  const sweep = (await handlerFactory(schedules.cacheSweep.handler))(makeContext);

  const next = random(42);
  const pick = zipf(workload.keys, workload.zipf, next);
  const lambdaContext = { awsRequestId: "model", getRemainingTimeInMillis: () => 10_000 };
  const perRead = { n: 0, calls: 0, read: 0, write: 0, vault: 0 };
  let requests = 0;
  let vaultReadsAfterWarmup = 0;

  const run = async (who: { ctx: VaultopsContext; handle: Handler }, e: unknown, measure: boolean): Promise<void> => {
    const before = measure ? { ...table.totals, vault: kv.reads } : undefined;
    const vaultBefore = kv.reads;
    const answer = await who.handle(e, lambdaContext);
    if (answer.statusCode >= 500) throw new Error(`the model's request answered ${answer.statusCode}`);
    if (workload.flushPerVaultRequest && kv.reads > vaultBefore) await who.ctx.recorder.flush();
    requests++;
    if (before) {
      perRead.n++;
      perRead.calls += table.totals.calls - before.calls;
      perRead.read += table.totals.readUnits - before.readUnits;
      perRead.write += table.totals.writeUnits - before.writeUnits;
      perRead.vault += kv.reads - before.vault;
    }
  };

  const perSecond = workload.readsPerSecond + workload.writesPerSecond + workload.listsPerSecond;
  const replayStarted = Date.now();
  for (let second = 0; second < workload.seconds; second++) {
    const startOfSecond = t0 + second * 1000;
    if (second === Math.floor(workload.seconds / 2)) {
      now = startOfSecond;
      await sweep({ "detail-type": "Scheduled Event", source: "aws.events", detail: {} }, lambdaContext);
    }
    let writes = 0;
    let lists = 0;
    for (let i = 0; i < perSecond; i++) {
      now = startOfSecond + Math.floor((i * 1000) / perSecond);
      const measure = second >= WARMUP_SECONDS;
      const id = `m-${second}-${i}`;
      if (
        writes < workload.writesPerSecond &&
        i % Math.max(1, Math.floor(perSecond / Math.max(1, workload.writesPerSecond))) === 1
      ) {
        writes++;
        const k = pick();
        await run(
          writers[Math.floor(next() * writers.length)] as (typeof writers)[number],
          event("configUpdate", { params: { key: `k${k}` }, query: ns(k), body: { value: `v-${second}-${i}` } }, id),
          false,
        );
        continue;
      }
      if (
        lists < workload.listsPerSecond &&
        i % Math.max(1, Math.floor(perSecond / Math.max(1, workload.listsPerSecond))) === 2
      ) {
        lists++;
        await run(
          listers[Math.floor(next() * listers.length)] as (typeof listers)[number],
          event("configList", { query: { ...ns(Math.floor(next() * workload.services)), limit: "50" } }, id),
          false,
        );
        continue;
      }
      const k = pick();
      const before = kv.reads;
      await run(
        readers[Math.floor(next() * readers.length)] as (typeof readers)[number],
        event("configGet", { params: { key: `k${k}` }, query: ns(k) }, id),
        measure,
      );
      if (measure) vaultReadsAfterWarmup += kv.reads - before;
    }
    if (second % 5 === 4)
      progress(
        `capacity: ${second + 1} of ${workload.seconds} simulated seconds, ${requests} requests in ${((Date.now() - replayStarted) / 1000).toFixed(1)} s`,
      );
  }

  // Each class: its busiest partition in its busiest second, after the warm-up and during it.
  // DynamoDB's partition limits combine: 3,000 read units, or 1,000 write units, or a mix in proportion.
  const shareOf = (u: { readUnits: number; writeUnits: number }) =>
    u.readUnits / PARTITION_READ_UNITS + u.writeUnits / PARTITION_WRITE_UNITS;
  type Tally = {
    partitions: Set<string>;
    peak: { readUnits: number; writeUnits: number; share: number; partitionKey: string; second: number };
    warmup: number;
    read: number;
    write: number;
  };
  const byClass = new Map<string, Tally>();
  for (const [second, bySecond] of table.usage) {
    for (const [pk, u] of bySecond) {
      const cls = leadingKeyClass(pk);
      const c: Tally = byClass.get(cls) ?? {
        partitions: new Set(),
        peak: { readUnits: 0, writeUnits: 0, share: 0, partitionKey: pk, second },
        warmup: 0,
        read: 0,
        write: 0,
      };
      c.partitions.add(pk);
      const share = shareOf(u);
      if (second >= WARMUP_SECONDS) {
        if (share > c.peak.share)
          c.peak = { readUnits: u.readUnits, writeUnits: u.writeUnits, share, partitionKey: pk, second };
        c.read += u.readUnits;
        c.write += u.writeUnits;
      } else c.warmup = Math.max(c.warmup, share);
      byClass.set(cls, c);
    }
  }
  const measured = Math.max(1, workload.seconds - WARMUP_SECONDS);
  const classes: ClassPeak[] = [...byClass]
    .map(([keyClass, c]) => ({
      keyClass,
      partitions: c.partitions.size,
      peakReadUnits: round(c.peak.readUnits),
      peakWriteUnits: round(c.peak.writeUnits),
      share: round(c.peak.share, 3),
      warmupShare: round(c.warmup, 3),
      busiest: { partitionKey: c.peak.partitionKey, second: c.peak.second },
      readUnitsPerSecond: round(c.read / measured),
      writeUnitsPerSecond: round(c.write / measured),
    }))
    .sort((a, b) => b.share - a.share);
  const top = classes[0] as ClassPeak;
  const n = Math.max(1, perRead.n);
  return {
    workload,
    plan,
    classes,
    firstLimit: {
      keyClass: top.keyClass,
      share: top.share,
      atReadsPerSecond: Math.floor(workload.readsPerSecond / Math.max(top.share, 1e-9)),
    },
    perRead: {
      dynamodbCalls: round(perRead.calls / n, 3),
      readUnits: round(perRead.read / n, 3),
      writeUnits: round(perRead.write / n, 3),
      vaultReads: round(perRead.vault / n, 3),
    },
    vaultReadsPerSecond: round(vaultReadsAfterWarmup / measured),
    requests,
    wallSeconds: round((Date.now() - started) / 1000, 1),
  };
}

const round = (x: number, digits = 1) => Number(x.toFixed(digits));
