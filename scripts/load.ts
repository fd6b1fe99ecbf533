/**
 * `npm run load`: load on the local runtime (a separate process, as a user runs it) with autocannon:
 * a cached config GET and the health probe. Prints a table and writes .vaultops/load.json beside
 * the benchmark's figures.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { stateDir } from "../packages/dev/src/paths";

const DURATION_S = Number(process.env.LOAD_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.LOAD_CONNECTIONS ?? 10);

async function startRuntime(): Promise<{ child: ChildProcess; apiUrl: string; apiToken: string }> {
  const devFile = path.join(mkdtempSync(path.join(tmpdir(), "vaultops-load-")), "dev.json");
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: "0", VAULTOPS_DEV_FILE: devFile, LOG_LEVEL: "error" };
  delete env.VAULT_ADDR;
  const child = spawn(process.execPath, ["--import", "tsx", "packages/dev/src/main.ts"], {
    env,
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout?.on("data", (c: Buffer) => {
    out += c.toString();
  });
  const deadline = Date.now() + 90_000;
  while (!/ready/.test(out)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`local runtime did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const facts = JSON.parse(readFileSync(devFile, "utf8")) as { apiUrl: string; apiToken: string };
  return { child, ...facts };
}

function load(title: string, url: string, headers: Record<string, string>) {
  return new Promise<autocannon.Result>((resolve, reject) => {
    autocannon({ url, headers, connections: CONNECTIONS, duration: DURATION_S, title }, (error, result) =>
      error ? reject(error) : resolve(result),
    );
  });
}

async function main() {
  const runtime = await startRuntime();
  try {
    const auth = { authorization: `Bearer ${runtime.apiToken}` };
    const created = await fetch(`${runtime.apiUrl}/api/v1/config`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ key: "load_key", value: "v".repeat(64), environment: "load", service_name: "svc" }),
    });
    if (created.status !== 201) throw new Error(`setup failed: ${created.status}`);
    const targets = [
      {
        name: "config GET (cached, audited)",
        url: `${runtime.apiUrl}/api/v1/config/load_key?environment=load&service_name=svc`,
        headers: auth,
      },
      { name: "health", url: `${runtime.apiUrl}/api/v1/vault/health`, headers: {} },
    ];
    const rows = [];
    for (const t of targets) {
      process.stderr.write(`load: ${t.name} for ${DURATION_S} s with ${CONNECTIONS} connections...\n`);
      const r = await load(t.name, t.url, t.headers);
      rows.push({
        target: t.name,
        requests: r.requests.total,
        rps_mean: Math.round(r.requests.average),
        latency_p50_ms: r.latency.p50,
        latency_p99_ms: r.latency.p99,
        latency_max_ms: r.latency.max,
        non_2xx: r.non2xx,
        errors: r.errors,
        timeouts: r.timeouts,
      });
    }
    mkdirSync(stateDir, { recursive: true });
    const report = {
      at: new Date().toISOString(),
      duration_s: DURATION_S,
      connections: CONNECTIONS,
      node: process.version,
      rows,
    };
    writeFileSync(path.join(stateDir, "load.json"), `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write("target                        requests  req/s   p50 ms  p99 ms  max ms  non-2xx  errors\n");
    for (const r of rows) {
      process.stdout.write(
        `${r.target.padEnd(29)} ${String(r.requests).padStart(8)} ${String(r.rps_mean).padStart(6)} ${String(r.latency_p50_ms).padStart(8)} ${String(r.latency_p99_ms).padStart(7)} ${String(r.latency_max_ms).padStart(7)} ${String(r.non_2xx).padStart(8)} ${String(r.errors).padStart(7)}\n`,
      );
    }
    process.stdout.write("figures in .vaultops/load.json\n");
  } finally {
    runtime.child.kill("SIGINT");
  }
}

main().catch((error) => {
  process.stderr.write(`load failed: ${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
