/**
 * `npm run dev`: Vault, DynamoDB, every route of infra/routes.ts on 127.0.0.1:${PORT:-3000} and every
 * job of packages/api/src/schedules.ts, with nothing to set up beyond `npm ci`. Ctrl-C stops all of it.
 *
 * VAULTOPS_RUNTIME=source (default): the TypeScript handlers in this process, for fast edits.
 * VAULTOPS_RUNTIME=lambda: `npm run build`'s bundles, each function in its own emulated Lambda.
 */

import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createContext, loadSettings, parseTokenList, type VaultopsContext } from "@vaultops/core";
import { DEFAULT_CONFIG_BACKENDS, DEFAULT_SECRETS_PREFIX, parseRouting, routedBackends } from "@vaultops/core/routing";
import { startApiServer } from "./api-server";
import { type Invoker, lambdaInvoker, type RuntimeMode, sourceInvoker } from "./invoker";
import { ensureLambdaTools } from "./lambda-tools";
import { stateDir } from "./paths";
import { startScheduler } from "./scheduler";
import { ensureBundles } from "./sst-build";
import { applyHandlerEnvironment, type LocalServices, startLocalServices } from "./stack";

const log = (line: string) => process.stderr.write(`${line}\n`);

function runtimeMode(): RuntimeMode {
  const mode = process.env.VAULTOPS_RUNTIME ?? "source";
  if (mode !== "source" && mode !== "lambda")
    throw new Error(`VAULTOPS_RUNTIME must be "source" or "lambda", got "${mode}"`);
  return mode;
}

/** The bundles, built when the sources changed since the last build, each under the Lambda emulator. */
async function lambdaRuntime(services: LocalServices, env: Record<string, string>): Promise<Invoker> {
  const { tools, missing } = await ensureLambdaTools(log);
  if (!tools) {
    throw new Error(`VAULTOPS_RUNTIME=lambda needs ${missing.join(" and ")}`);
  }
  for (const note of tools.notes) log(`vaultops dev: ${note}`);
  if ((await ensureBundles(log)) === "current") log("vaultops dev: dist/functions is current with the sources");
  return lambdaInvoker({
    tools,
    env: { ...services.env, ...env },
    log: (line) => log(line),
  });
}

/**
 * What stands in for the API's access log and its metric filter on AWS (infra/alarms.ts): a request
 * the gateway refuses without a token is counted as a failed authentication and audited, in a context
 * of the gateway's own on the stack's table.
 */
function gatewayRefusals(env: Record<string, string>) {
  let ctx: VaultopsContext | undefined;
  return async (refusal: { route: string; sourceIp: string; requestId: string }) => {
    ctx ??= createContext(loadSettings({ ...env, EMF_ENABLED: "false" }));
    ctx.recorder.authFailure("api");
    await ctx.audit.record(
      { operation: "authenticate", path: refusal.route, success: false, error: "unauthorized" },
      { name: "anonymous", sourceIp: refusal.sourceIp, requestId: refusal.requestId },
    );
    await ctx.recorder.flush();
  };
}

/** The tokens of API_TOKENS_JSON, by name, scopes, paths and expiry (the list holds only their hashes). */
function tokenListLines(json: string | undefined): string[] {
  if (!json) return [];
  return parseTokenList(JSON.parse(json), "API_TOKENS_JSON").map(
    (t) =>
      `              ${t.name} (${t.scopes.join(", ")}${t.paths ? `; paths ${t.paths.join(", ")}` : ""}${t.expires_at ? `; expires ${t.expires_at}` : ""}) from API_TOKENS_JSON`,
  );
}

async function main() {
  const started = Date.now();
  const mode = runtimeMode();
  const port = Number(process.env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be a port number, got ${process.env.PORT}`);
  // A scope routed to Secrets Manager needs one: moto's, here (never the real AWS by accident).
  const awsRouted = routedBackends(parseRouting(process.env.CONFIG_BACKENDS ?? DEFAULT_CONFIG_BACKENDS)).includes(
    "aws",
  );
  if (awsRouted && process.env.VAULTOPS_DEV_MOTO !== "1")
    throw new Error(
      `CONFIG_BACKENDS routes scopes to Secrets Manager: run with VAULTOPS_DEV_MOTO=1 to serve them from moto`,
    );
  log(`vaultops dev: starting Vault and DynamoDB (runtime: ${mode})...`);
  const services = await startLocalServices({
    moto: process.env.VAULTOPS_DEV_MOTO === "1",
    ...(process.env.API_TOKEN ? { apiToken: process.env.API_TOKEN } : {}),
    ...(process.env.API_READ_TOKEN ? { apiReadToken: process.env.API_READ_TOKEN } : {}),
    log,
  });
  // What the functions read beside the stack's addresses; paths absolute, as a function's working
  // directory is its bundle (as /var/task is in Lambda).
  const functionEnv: Record<string, string> = {
    LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
    SNAPSHOT_DIR: path.resolve(process.env.SNAPSHOT_DIR ?? path.join(stateDir, "snapshots")),
    SNAPSHOT_KEY_FILE: path.resolve(process.env.SNAPSHOT_KEY_FILE ?? path.join(stateDir, "snapshot.key")),
  };
  for (const name of [
    "API_TOKENS_JSON",
    "API_TOKENS_SECRET",
    "TOKEN_LIST_TTL_SECONDS",
    "VAULT_CREDENTIALS_SECRET",
    "EMF_ENABLED",
    "AUDIT_READS",
    "CACHE_TTL_SECONDS",
    "CACHE_MEMORY_TTL_SECONDS",
    "CACHE_GENERATION_CHECK_MS",
    "HEALTH_MEMO_MS",
    "PLANNED_CREATORS",
    "CONFIG_BACKENDS",
    "AWS_SECRETS_PREFIX",
    "AWS_SECRETS_RECOVERY_DAYS",
  ])
    if (process.env[name]) functionEnv[name] = process.env[name] as string;
  let invoker: Invoker;
  let api: Awaited<ReturnType<typeof startApiServer>>;
  try {
    if (mode === "lambda") {
      invoker = await lambdaRuntime(services, functionEnv);
    } else {
      applyHandlerEnvironment({ ...services.env, ...functionEnv });
      invoker = sourceInvoker();
    }
    api = await startApiServer({
      port,
      log,
      invoker,
      onGatewayRefusal: gatewayRefusals({ ...services.env, ...functionEnv }),
    });
  } catch (error) {
    await services.stop();
    throw error;
  }
  const scheduler = startScheduler({ log, invoker });
  const facts = {
    runtime: mode,
    apiUrl: api.url,
    apiToken: services.env.API_TOKEN,
    apiReadToken: services.env.API_READ_TOKEN,
    vaultAddr: services.vault.addr,
    vaultToken: services.vault.rootToken,
    vaultUnsealKey: services.vault.unsealKey ?? null,
    dynamodbEndpoint: services.dynamo.endpoint,
    ...(services.moto ? { awsEndpoint: services.moto.endpoint } : {}),
  };
  const devFile = process.env.VAULTOPS_DEV_FILE ?? path.join(stateDir, "dev.json");
  mkdirSync(path.dirname(devFile), { recursive: true });
  writeFileSync(devFile, `${JSON.stringify(facts, null, 2)}\n`, { mode: 0o600 });

  const lines = [
    "",
    `  Runtime     ${mode === "lambda" ? "lambda: each function's bundle (dist/functions) in its own emulated Lambda" : "source: the TypeScript handlers in this process"}`,
    `  API         ${facts.apiUrl}   (try: curl ${facts.apiUrl}/api/v1/vault/health)`,
    `  API tokens  ${facts.apiToken} (admin)`,
    `              ${facts.apiReadToken} (read = monitor + config:read: sensitive values withheld)`,
    ...tokenListLines(services.env.API_TOKENS_JSON),
    `  Vault       ${facts.vaultAddr}${services.vault.external ? " (from VAULT_ADDR)" : ""}`,
    `  Vault token ${facts.vaultToken}${facts.vaultUnsealKey ? `   unseal key: ${facts.vaultUnsealKey}` : ""}`,
    `  DynamoDB    ${facts.dynamodbEndpoint}${services.dynamo.external ? " (from DYNAMODB_ENDPOINT)" : ""}`,
    ...(services.moto ? [`  AWS (moto)  ${services.moto.endpoint}`] : []),
    ...(awsRouted
      ? [
          `  Backends    ${process.env.CONFIG_BACKENDS} (Secrets Manager: moto, prefix ${process.env.AWS_SECRETS_PREFIX ?? DEFAULT_SECRETS_PREFIX}/)`,
        ]
      : []),
    `  State       ${path.relative(process.cwd(), devFile)}`,
    "",
    `vaultops dev ready in ${((Date.now() - started) / 1000).toFixed(1)} s (Ctrl-C to stop)`,
  ];
  process.stdout.write(`${lines.join("\n")}\n`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`\nvaultops dev: ${signal}, stopping...`);
    scheduler.stop();
    await api.stop();
    await invoker.stop();
    await services.stop();
    rmSync(devFile, { force: true });
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}

main().catch((error) => {
  log(`vaultops dev failed: ${(error as Error).message}`);
  process.exit(1);
});
