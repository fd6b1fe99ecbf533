/**
 * `npm run bench`: figures for the config read path on the local stack (real OpenBao and dynalite),
 * printed as a table and written to .vaultops/bench.json.
 *
 * 1. GET latency through the whole handler, served by the in-process tier, by DynamoDB, and by Vault.
 * 2. A skewed workload replayed on a simulated clock: share of requests reaching Vault, DynamoDB calls per request.
 * 3. 100 concurrent misses on one key in one container: Vault reads caused.
 * 4. Every built bundle under the Lambda runtime emulator: the INIT REPORT init duration and the warm
 *    REPORT duration of its main path, beside a bare middy + DynamoDB handler built and run the same way.
 * 5. The first page of a list (limit 50) for services of 100, 1,000 and 10,000 keys, plain and sensitive.
 * 6. Counted: per request kind, DynamoDB calls and units per key class, Vault, Secrets Manager, CloudWatch
 *    and EventBridge calls, duration and log bytes on the emulator, and the cost per million requests.
 * 7. The example consumer (examples/consumer) under the emulator: its cold init against plain `fetch`, a warm
 *    read from memory, a revalidation (304) against a full read.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Clock, VaultopsContext, VaultRequest } from "@vaultops/core";
import { createContext, createNodeVaultTransport, loadSettings } from "@vaultops/core";
import { createHandler as createConfig } from "../functions/config/create";
import { createHandler as getConfig } from "../functions/config/get";
import { createHandler as listConfig } from "../functions/config/list";
import { gatewayEvent } from "../packages/dev/src/gateway-event";
import { stateDir } from "../packages/dev/src/paths";
import { startLocalServices } from "../packages/dev/src/stack";
import { type ConsumerBench, consumerBench, printConsumer } from "./bench/consumer";
import { type CountsBench, printCounts, requestCounts } from "./bench/counts";
import { benchAdmin, type LambdaBench, lambdaRuntime, printLambda } from "./bench/lambda-runtime";

const log = (line: string) => process.stderr.write(`${line}\n`);
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
const round = (n: number, digits = 3) => Number(n.toFixed(digits));

/** A context whose Vault and DynamoDB traffic is counted where it leaves the process. */
function instrumentedContext(env: Record<string, string>, clock?: Clock) {
  const counts = { vaultReads: 0, dynamoReads: 0, dynamoWrites: 0 };
  const transport = createNodeVaultTransport({ address: env.VAULT_ADDR as string, timeoutMs: 5_000 });
  const ctx = createContext(loadSettings(env), {
    ...(clock ? { clock } : {}),
    transport: (request: VaultRequest) => {
      if (request.method === "GET" && request.path.includes("/data/")) counts.vaultReads++;
      return transport(request);
    },
  });
  return { ctx, counts };
}

async function countDynamo(ctx: VaultopsContext, counts: { dynamoReads: number; dynamoWrites: number }) {
  const doc = await ctx.clients.documentClient();
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName ?? "");
      if (/^(Get|Query|Scan|BatchGet)/.test(name)) counts.dynamoReads++;
      else if (/^(Put|Update|Delete|BatchWrite)/.test(name)) counts.dynamoWrites++;
      return next(args);
    },
    { step: "initialize", name: "vaultopsBenchCounter" },
  );
}

/** GET /api/v1/config/{key} (or, with a body, POST /api/v1/config) as the bench's admin token. */
const event = (key: string, ns: { environment: string; service_name: string }, method = "GET", body?: unknown) =>
  gatewayEvent({
    method,
    path: `/api/v1/config${method === "GET" ? `/${key}` : ""}`,
    query: ns,
    ...(method === "GET" ? { pathParameters: { key } } : {}),
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    authorizer: benchAdmin,
  });

type Handler = (e: unknown, c: unknown) => Promise<{ statusCode: number }>;
const lambdaCtx = { awsRequestId: "bench" };

async function latency(handler: Handler, ev: unknown, n: number) {
  for (let i = 0; i < Math.min(50, n); i++) await handler(ev, lambdaCtx); // warm up
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const res = await handler(ev, lambdaCtx);
    times.push(performance.now() - t);
    if (res.statusCode !== 200) throw new Error(`GET answered ${res.statusCode}`);
  }
  times.sort((a, b) => a - b);
  return { calls: n, p50_ms: round(percentile(times, 50)), p99_ms: round(percentile(times, 99)) };
}

/** `npm run bench -- --only=lambda,lists`: some sections (counts, latency, replay, stampede, lambda, consumer, lists). */
const only = new Set(process.argv.slice(2).flatMap((a) => (a.startsWith("--only=") ? a.slice(7).split(",") : [])));
const want = (section: string) => only.size === 0 || only.has(section);

async function main() {
  const started = Date.now();
  log("bench: starting OpenBao and dynalite...");
  // moto only for the counted section (Secrets Manager, CloudWatch, EventBridge, S3 and KMS as a deploy has them).
  const services = await startLocalServices({
    moto: want("counts"),
    useExternalVault: false,
    useExternalDynamo: false,
    log,
  });
  // EMF lines would go to this process's stdout per request: not what is measured here.
  const { AWS_ENDPOINT_URL: _moto, ...local } = services.env;
  const base = {
    ...local,
    LOG_LEVEL: "error",
    HEALTH_MEMO_MS: "2000",
    EMF_ENABLED: "false",
    CLOUDWATCH_ENABLED: "false",
    EVENTS_ENABLED: "false",
  };
  const ns = { environment: "bench", service_name: `svc-${randomBytes(3).toString("hex")}` };
  const results: Record<string, unknown> = { started_at: new Date().toISOString(), node: process.version };
  try {
    // Setup: one plain and one sensitive config.
    const setup = instrumentedContext(base).ctx;
    const create = createConfig(() => setup) as unknown as Handler;
    await create(event("plain", ns, "POST", { key: "plain", value: "v".repeat(64), ...ns }), lambdaCtx);
    await create(
      event("sensitive", ns, "POST", { key: "sensitive", value: "s".repeat(64), ...ns, is_encrypted: true }),
      lambdaCtx,
    );

    // 6 first: the counted section wants a Vault without the other sections' thousands of keys.
    if (want("counts")) {
      log("bench: what one request costs, per kind, under the Lambda runtime emulator...");
      results.counts = await requestCounts(
        {
          vaultAddr: services.vault.addr,
          vaultToken: services.vault.rootToken,
          awsEndpoint: services.moto?.endpoint ?? "",
          env: base,
        },
        log,
      );
    }

    // 1. Latency per tier.
    if (want("latency")) {
      log("bench: GET latency per tier...");
      // The tiers are compared without the read's audit record (one DynamoDB write, measured on its own row).
      const quiet = { ...base, AUDIT_READS: "false" };
      const memoryCtx = instrumentedContext(quiet).ctx;
      const sharedCtx = instrumentedContext({ ...quiet, CACHE_MEMORY_TTL_SECONDS: "0" }).ctx;
      const vaultCtx = instrumentedContext(quiet).ctx;
      const auditedCtx = instrumentedContext(base).ctx;
      const memory = await latency(getConfig(() => memoryCtx) as unknown as Handler, event("plain", ns), 5_000);
      const shared = await latency(getConfig(() => sharedCtx) as unknown as Handler, event("plain", ns), 2_000);
      const vault = await latency(getConfig(() => vaultCtx) as unknown as Handler, event("sensitive", ns), 1_000);
      const audited = await latency(getConfig(() => auditedCtx) as unknown as Handler, event("plain", ns), 2_000);
      results.latency = {
        memory,
        dynamodb: shared,
        vault,
        memory_with_read_audit: audited,
        ratio_vault_to_memory_p50: round(vault.p50_ms / memory.p50_ms, 1),
        ratio_dynamodb_to_memory_p50: round(shared.p50_ms / memory.p50_ms, 1),
        ratio_vault_to_dynamodb_p50: round(vault.p50_ms / shared.p50_ms, 1),
      };
    }

    // 2. Skewed replay on a simulated clock.
    if (want("replay")) {
      log("bench: replaying a Zipf workload (1,000 keys, 10 containers, 1 simulated hour)...");
      results.replay = await replay(base);
    }

    // 3. Concurrent misses on one key.
    if (want("stampede")) {
      log("bench: 100 concurrent misses on one key...");
      const { ctx: stampede, counts } = instrumentedContext(base);
      const stampedeKey = "stampede";
      await create(event(stampedeKey, ns, "POST", { key: stampedeKey, value: "x", ...ns }), lambdaCtx);
      await stampede.cache.clear();
      counts.vaultReads = 0;
      const get = getConfig(() => stampede) as unknown as Handler;
      const answers = await Promise.all(Array.from({ length: 100 }, () => get(event(stampedeKey, ns), lambdaCtx)));
      results.stampede = {
        concurrent_requests: 100,
        ok: answers.filter((a) => a.statusCode === 200).length,
        vault_reads: counts.vaultReads,
      };
    }
    // 4. Every built bundle under the Lambda runtime emulator, beside a bare middy + DynamoDB handler
    // (before step 5 fills Vault with 22,200 keys, which the snapshot job would walk on every run).
    if (want("lambda")) results.lambda = await lambdaRuntime(base, ns, log);
    // 7. The example consumer over HTTP, through the local gateway in this process.
    if (want("consumer")) results.consumer = await consumerBench(base, log);
    // 5. The first page of a list, for services of 100, 1,000 and 10,000 keys, plain and sensitive.
    if (want("lists")) {
      log("bench: first page of a list (limit 50) for 100, 1,000 and 10,000 keys...");
      results.list_first_page = await listPages(base);
    }
  } finally {
    await services.stop();
  }
  results.duration_s = round((Date.now() - started) / 1000, 1);

  mkdirSync(stateDir, { recursive: true });
  writeFileSync(path.join(stateDir, "bench.json"), `${JSON.stringify(results, null, 2)}\n`);
  print(results);
}

/** p50 of GET /api/v1/config?limit=50 (first page, read audited) for growing services. */
async function listPages(base: Record<string, string>) {
  const rows: Array<{ keys: number; sensitive: boolean; p50_ms: number; p99_ms: number }> = [];
  const ctx = instrumentedContext(base).ctx;
  const handler = listConfig(() => ctx) as unknown as Handler;
  for (const keys of [100, 1_000, 10_000]) {
    for (const sensitive of [false, true]) {
      const ns = {
        environment: "listbench",
        service_name: `s${keys}-${sensitive ? "sens" : "plain"}-${randomBytes(2).toString("hex")}`,
      };
      for (let i = 0; i < keys; i += 100) {
        await Promise.all(
          Array.from({ length: Math.min(100, keys - i) }, (_, j) =>
            ctx.gateway.request("kv_write", {
              method: "POST",
              path: `/secret/data/${ns.environment}/${ns.service_name}/k${String(i + j).padStart(5, "0")}`,
              json: { data: { value: `value-${i + j}`, is_encrypted: sensitive } },
            }),
          ),
        );
      }
      const ev = gatewayEvent({
        method: "GET",
        path: "/api/v1/config",
        query: { ...ns, limit: "50" },
        authorizer: benchAdmin,
      });
      const measured = await latency(handler, ev, 30);
      rows.push({ keys, sensitive, p50_ms: measured.p50_ms, p99_ms: measured.p99_ms });
      log(`bench:   ${keys} keys, ${sensitive ? "sensitive" : "plain"}: p50 ${measured.p50_ms} ms`);
    }
  }
  const p50 = (keys: number, sensitive: boolean) =>
    rows.find((r) => r.keys === keys && r.sensitive === sensitive)?.p50_ms ?? 0;
  return {
    limit: 50,
    rows,
    ratio_10000_to_100_plain: round(p50(10_000, false) / p50(100, false), 2),
    ratio_10000_to_100_sensitive: round(p50(10_000, true) / p50(100, true), 2),
  };
}

async function replay(base: Record<string, string>) {
  const KEYS = 1_000;
  const CONTAINERS = 10;
  const HOUR_MS = 3_600_000;
  const RECYCLE_MS = 10 * 60_000;
  const REQUESTS = 60_000;
  let now = Date.now();
  const clock: Clock = { now: () => now };
  const env: Record<string, string> = { ...base, CACHE_TTL_SECONDS: "900", CACHE_MEMORY_TTL_SECONDS: "5" };
  const ns = { environment: "replay", service_name: `zipf-${randomBytes(3).toString("hex")}` };
  const seeder = instrumentedContext(env, clock).ctx;
  for (let i = 0; i < KEYS; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, KEYS - i) }, (_, j) =>
        seeder.gateway.request("kv_write", {
          method: "POST",
          path: `/secret/data/${ns.environment}/${ns.service_name}/k${i + j}`,
          json: { data: { value: `value-${i + j}`, is_encrypted: false } },
        }),
      ),
    );
  }
  await seeder.cache.clear();
  // Zipf(s=1) over ranks 1..KEYS by inverse CDF.
  const weights = Array.from({ length: KEYS }, (_, i) => 1 / (i + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const cdf: number[] = [];
  weights.reduce((acc, w, i) => {
    cdf[i] = (acc + w) / total;
    return acc + w;
  }, 0);
  let seed = 42;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const pick = () => {
    const r = random();
    let lo = 0;
    let hi = KEYS - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cdf[mid] ?? 1) < r) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const counts = { vaultReads: 0, dynamoReads: 0, dynamoWrites: 0 };
  const makeContainer = async () => {
    const made = instrumentedContext(env, clock);
    const shared = made.counts;
    await countDynamo(made.ctx, counts);
    // Vault reads are counted at the transport of every container into one total.
    return { ctx: made.ctx, born: now, local: shared };
  };
  const containers = await Promise.all(Array.from({ length: CONTAINERS }, makeContainer));
  let recycled = 0;
  const startAt = now;
  for (let i = 0; i < REQUESTS; i++) {
    now = startAt + Math.floor((i * HOUR_MS) / REQUESTS);
    const slot = Math.floor(random() * CONTAINERS);
    let container = containers[slot] as Awaited<ReturnType<typeof makeContainer>>;
    if (now - container.born >= RECYCLE_MS) {
      counts.vaultReads += container.local.vaultReads;
      container = await makeContainer();
      containers[slot] = container;
      recycled++;
    }
    const get = getConfig(() => container.ctx) as unknown as Handler;
    const res = await get(event(`k${pick()}`, ns), lambdaCtx);
    if (res.statusCode !== 200) throw new Error(`replay GET answered ${res.statusCode}`);
  }
  for (const c of containers) counts.vaultReads += c.local.vaultReads;
  return {
    keys: KEYS,
    zipf_s: 1.0,
    containers: CONTAINERS,
    recycle_minutes: 10,
    simulated_minutes: 60,
    shared_ttl_minutes: 15,
    memory_ttl_seconds: Number(env.CACHE_MEMORY_TTL_SECONDS ?? 5),
    requests: REQUESTS,
    containers_recycled: recycled,
    vault_reads: counts.vaultReads,
    share_reaching_vault: round(counts.vaultReads / REQUESTS, 4),
    dynamodb_reads_per_request: round(counts.dynamoReads / REQUESTS, 3),
    dynamodb_writes_per_request: round(counts.dynamoWrites / REQUESTS, 3),
  };
}

function print(results: Record<string, unknown>) {
  const lines: string[] = [];
  const lat = results.latency as Record<string, { p50_ms: number; p99_ms: number; calls: number } | number>;
  if (lat) {
    lines.push(
      "GET /api/v1/config/{key} through the handler (tiers without the read's audit record; last row with it)",
    );
    lines.push("  served by        calls     p50 ms    p99 ms");
    for (const [label, key] of [
      ["in-process", "memory"],
      ["DynamoDB", "dynamodb"],
      ["Vault (no cache)", "vault"],
      ["in-process+audit", "memory_with_read_audit"],
    ] as const) {
      const row = lat[key] as { p50_ms: number; p99_ms: number; calls: number };
      lines.push(
        `  ${label.padEnd(16)} ${String(row.calls).padStart(5)} ${row.p50_ms.toFixed(3).padStart(10)} ${row.p99_ms.toFixed(3).padStart(9)}`,
      );
    }
    lines.push(
      `  p50 ratios: Vault/in-process ${lat.ratio_vault_to_memory_p50}x, DynamoDB/in-process ${lat.ratio_dynamodb_to_memory_p50}x, Vault/DynamoDB ${lat.ratio_vault_to_dynamodb_p50}x`,
    );
  }
  const r = results.replay as Record<string, number>;
  if (r) {
    lines.push("");
    lines.push(
      `Replay: ${r.requests} requests, ${r.keys} keys Zipf s=1, ${r.containers} containers recycled every ${r.recycle_minutes} min (${r.containers_recycled} recycles), ${r.simulated_minutes} simulated min, TTL ${r.shared_ttl_minutes} min shared / ${r.memory_ttl_seconds} s in-process`,
    );
    lines.push(
      `  reached Vault: ${r.vault_reads} (${((r.share_reaching_vault ?? 0) * 100).toFixed(2)}%)   DynamoDB per request: ${r.dynamodb_reads_per_request} reads, ${r.dynamodb_writes_per_request} writes`,
    );
  }
  const s = results.stampede as Record<string, number>;
  if (s) {
    lines.push("");
    lines.push(
      `100 concurrent misses on one key in one container: ${s.vault_reads} Vault read(s), ${s.ok} answered 200`,
    );
  }
  const l = results.list_first_page as {
    rows: Array<{ keys: number; sensitive: boolean; p50_ms: number; p99_ms: number }>;
    ratio_10000_to_100_plain: number;
    ratio_10000_to_100_sensitive: number;
  };
  if (l) {
    lines.push("");
    lines.push("GET /api/v1/config?limit=50, first page (reads audited)");
    lines.push("  keys      values       p50 ms    p99 ms");
    for (const r of l.rows)
      lines.push(
        `  ${String(r.keys).padStart(6)}    ${(r.sensitive ? "sensitive" : "plain").padEnd(9)} ${r.p50_ms.toFixed(2).padStart(9)} ${r.p99_ms.toFixed(2).padStart(9)}`,
      );
    lines.push(
      `  10,000 keys / 100 keys: ${l.ratio_10000_to_100_plain}x plain, ${l.ratio_10000_to_100_sensitive}x sensitive`,
    );
  }
  if (results.lambda) {
    lines.push("");
    lines.push(...printLambda(results.lambda as LambdaBench));
  }
  if (results.consumer) {
    lines.push("");
    lines.push(...printConsumer(results.consumer as ConsumerBench));
  }
  if (results.counts) {
    lines.push("");
    lines.push(...printCounts(results.counts as CountsBench));
  }
  lines.push("");
  lines.push(`bench finished in ${results.duration_s} s; figures in .vaultops/bench.json`);
  process.stdout.write(`${lines.join("\n")}\n`);
}

main().catch((error) => {
  log(`bench failed: ${(error as Error).stack ?? error}`);
  process.exit(1);
});
