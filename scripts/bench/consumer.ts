/**
 * The bench's consumer section: the example function of examples/consumer (VaultopsProvider on
 * `@vaultops/client`) built by SST's builder as the plane's functions are, under the Lambda runtime
 * emulator, against the local API over HTTP (the source handlers behind the local gateway):
 * - cold init: the INIT REPORT of the example against the same function written with plain `fetch`;
 * - warm: the REPORT duration of a read answered from the provider's memory (no request);
 * - revalidation: with VAULTOPS_MAX_AGE=0 each invocation asks for each key with If-None-Match and is
 *   answered 304, against `forceFetch` (each key read in full, 200).
 * Every request the function makes goes through a counting proxy, so the figures say what each one cost.
 */
import { createHash, randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { VaultopsClient } from "@vaultops/client/source";
import { startApiServer } from "../../packages/dev/src/api-server";
import { sourceInvoker } from "../../packages/dev/src/invoker";
import { EmulatedFunction, type EmulatedFunctionSpec } from "../../packages/dev/src/lambda-emulator";
import { ensureLambdaTools, type LambdaTools } from "../../packages/dev/src/lambda-tools";
import { buildFunctions } from "../../packages/dev/src/sst-build";
import { applyHandlerEnvironment } from "../../packages/dev/src/stack";

const COLD_SAMPLES = 5;
const WARM_SAMPLES = 20;

/** The example and its plain-fetch twin, built by SST's builder with infra's `nodejs` props into dist/examples. */
export async function buildConsumer(log: (line: string) => void = () => {}) {
  const [example, plain] = await buildFunctions(
    [
      { name: "consumer", handler: "examples/consumer/handler.handler" },
      { name: "consumer-plain-fetch", handler: "examples/consumer/plain-fetch.handler" },
    ],
    { outDir: path.resolve("dist/examples"), log },
  );
  if (!example || !plain) throw new Error("the example consumer was not built");
  return {
    example: { dir: path.resolve(example.dir), handler: example.handler, initBytes: example.initBytes },
    plain: { dir: path.resolve(plain.dir), handler: plain.handler, initBytes: plain.initBytes },
  };
}

export interface SeenRequest {
  method: string;
  path: string;
  ifNoneMatch: string | undefined;
  status: number;
}

/** A loopback HTTP proxy in front of `target` that records each request reaching it and the status answered. */
export async function countingProxy(target: string) {
  const upstream = new URL(target);
  const seen: SeenRequest[] = [];
  const server = http.createServer((req, res) => {
    const forward = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (answer) => {
        const header = req.headers["if-none-match"];
        seen.push({
          method: req.method ?? "GET",
          path: new URL(req.url ?? "/", "http://x").pathname,
          ifNoneMatch: Array.isArray(header) ? header.join(",") : header,
          status: answer.statusCode ?? 0,
        });
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on("error", () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface ConsumerBench {
  node: string;
  cold_samples: number;
  warm_samples: number;
  example_init_ms: number;
  plain_fetch_init_ms: number;
  example_init_kb: number;
  plain_fetch_init_kb: number;
  /** The first invocation's REPORT duration (both keys read over HTTP). */
  example_first_read_ms: number;
  plain_fetch_first_read_ms: number;
  /** p50 REPORT durations of warm invocations, and the requests they made in all. */
  warm_memory_p50_ms: number;
  warm_memory_requests: number;
  revalidate_p50_ms: number;
  revalidate_statuses: Record<string, number>;
  force_fetch_p50_ms: number;
  force_fetch_statuses: Record<string, number>;
  skipped?: string;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};
const round = (n: number, digits = 2) => Number(n.toFixed(digits));
const statuses = (seen: SeenRequest[]) =>
  seen.reduce<Record<string, number>>((acc, r) => {
    acc[String(r.status)] = (acc[String(r.status)] ?? 0) + 1;
    return acc;
  }, {});

export async function consumerBench(
  services: Record<string, string>,
  log: (line: string) => void,
): Promise<ConsumerBench> {
  const { tools, missing } = await ensureLambdaTools(log);
  if (!tools) return { skipped: `Lambda runtime missing: ${missing.join("; ")}` } as ConsumerBench;
  const token = `bench-consumer-${randomBytes(8).toString("hex")}`;
  const sha256 = createHash("sha256").update(token).digest("hex");
  // The source handlers of this process behind the local gateway (as `npm run dev` serves them).
  applyHandlerEnvironment({
    ...services,
    API_TOKENS_JSON: JSON.stringify({ tokens: [{ name: "bench-consumer", sha256, scopes: ["secrets:read"] }] }),
  });
  const api = await startApiServer({ port: 0, invoker: sourceInvoker() });
  const proxy = await countingProxy(api.url);
  const scope = { environment: "bench", service: `consumer-${randomBytes(3).toString("hex")}` };
  try {
    const admin = new VaultopsClient({ baseUrl: api.url, token: services.API_TOKEN as string, ...scope });
    await admin.set("database_url", "postgres://bench:5432/app");
    await admin.set("api_key", randomBytes(24).toString("hex"), { isEncrypted: true });
    log("bench: consumer: building the example and its plain-fetch twin...");
    const built = await buildConsumer(log);
    const spec = (name: string, b: { dir: string; handler: string }, maxAge = 300) =>
      consumerSpec(name, b, { url: proxy.url, token, scope, maxAgeSeconds: maxAge });
    log(`bench: consumer: ${COLD_SAMPLES} cold starts of each...`);
    const example = await cold(spec("consumer", built.example), tools);
    const plain = await cold(spec("consumer-plain-fetch", built.plain), tools);
    log(`bench: consumer: warm reads, ${WARM_SAMPLES} from memory, revalidated (maxAge 0) and forced...`);
    const fn = new EmulatedFunction(spec("consumer", built.example), tools, { maxEnvironments: 1 });
    const fn0 = new EmulatedFunction(spec("consumer", built.example, 0), tools, { maxEnvironments: 1 });
    try {
      await fn.invoke({});
      await fn0.invoke({});
      const run = async (f: EmulatedFunction, event: unknown) => {
        const from = proxy.seen.length;
        const durations: number[] = [];
        for (let i = 0; i < WARM_SAMPLES; i++) {
          const result = await f.invoke(event);
          if (result.functionError) throw new Error(`consumer: ${result.functionError.errorMessage}`);
          if (result.durationMs !== undefined) durations.push(result.durationMs);
        }
        return { p50: median(durations), seen: proxy.seen.slice(from) };
      };
      const memory = await run(fn, {});
      // Forced first: the revalidations then start from the versions its full reads kept.
      const forced = await run(fn0, { forceFetch: true });
      const revalidate = await run(fn0, {});
      return {
        node: tools.nodeVersion,
        cold_samples: COLD_SAMPLES,
        warm_samples: WARM_SAMPLES,
        example_init_ms: round(example.initMs),
        plain_fetch_init_ms: round(plain.initMs),
        example_init_kb: round(built.example.initBytes / 1024, 1),
        plain_fetch_init_kb: round(built.plain.initBytes / 1024, 1),
        example_first_read_ms: round(example.firstMs),
        plain_fetch_first_read_ms: round(plain.firstMs),
        warm_memory_p50_ms: round(memory.p50),
        warm_memory_requests: memory.seen.length,
        revalidate_p50_ms: round(revalidate.p50),
        revalidate_statuses: statuses(revalidate.seen),
        force_fetch_p50_ms: round(forced.p50),
        force_fetch_statuses: statuses(forced.seen),
      };
    } finally {
      await fn.stop();
      await fn0.stop();
    }
  } finally {
    await proxy.stop();
    await api.stop();
  }
}

/** Median INIT REPORT and first-invocation duration of fresh environments. */
async function cold(spec: EmulatedFunctionSpec, tools: LambdaTools) {
  const inits: number[] = [];
  const firsts: number[] = [];
  for (let i = 0; i < COLD_SAMPLES; i++) {
    const fn = new EmulatedFunction(spec, tools, { maxEnvironments: 1 });
    try {
      const result = await fn.invoke({});
      if (result.functionError) throw new Error(`${spec.name}: ${result.functionError.errorMessage}`);
      if (result.initMs !== undefined) inits.push(result.initMs);
      if (result.durationMs !== undefined) firsts.push(result.durationMs);
    } finally {
      await fn.stop();
    }
  }
  return { initMs: median(inits), firstMs: median(firsts) };
}

export function printConsumer(bench: ConsumerBench): string[] {
  if (bench.skipped) return [`Example consumer: skipped (${bench.skipped})`];
  const st = (s: Record<string, number>) =>
    Object.entries(s)
      .map(([k, n]) => `${k}x${n}`)
      .join(" ");
  return [
    `Example consumer (examples/consumer) under the Lambda runtime emulator, Node ${bench.node}: init = INIT REPORT (median of ${bench.cold_samples}), others = REPORT p50 of ${bench.warm_samples}`,
    "  function                          init ms   init KB   first read ms",
    `  VaultopsProvider (handler.ts)   ${bench.example_init_ms.toFixed(1).padStart(9)} ${bench.example_init_kb.toFixed(1).padStart(9)} ${bench.example_first_read_ms.toFixed(1).padStart(15)}`,
    `  plain fetch (plain-fetch.ts)    ${bench.plain_fetch_init_ms.toFixed(1).padStart(9)} ${bench.plain_fetch_init_kb.toFixed(1).padStart(9)} ${bench.plain_fetch_first_read_ms.toFixed(1).padStart(15)}`,
    "  warm read of both keys            p50 ms   requests (status x count)",
    `  from memory (maxAge 300 s)     ${bench.warm_memory_p50_ms.toFixed(2).padStart(9)}   ${bench.warm_memory_requests}`,
    `  revalidated (maxAge 0)         ${bench.revalidate_p50_ms.toFixed(2).padStart(9)}   ${st(bench.revalidate_statuses)}`,
    `  full read (forceFetch)         ${bench.force_fetch_p50_ms.toFixed(2).padStart(9)}   ${st(bench.force_fetch_statuses)}`,
  ];
}

/** The example consumer as the emulator runs it: its bundle and the environment it reads (examples/consumer). */
export function consumerSpec(
  name: string,
  bundle: { dir: string; handler: string },
  options: { url: string; token: string; scope: { environment: string; service: string }; maxAgeSeconds: number },
): EmulatedFunctionSpec {
  return {
    name,
    bundleDir: bundle.dir,
    handler: bundle.handler,
    memoryMb: 512,
    timeoutSeconds: 15,
    env: {
      VAULTOPS_URL: options.url,
      VAULTOPS_TOKEN: options.token,
      VAULTOPS_ENVIRONMENT: options.scope.environment,
      VAULTOPS_SERVICE: options.scope.service,
      VAULTOPS_MAX_AGE: String(options.maxAgeSeconds),
    },
  };
}
