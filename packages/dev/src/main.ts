/**
 * `npm run dev`: Vault, DynamoDB, every route of infra/routes.ts on 127.0.0.1:${PORT:-3000} and every
 * job of infra/schedules.ts, with nothing to set up beyond `npm ci`. Ctrl-C stops all of it.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { startApiServer } from "./api-server";
import { stateDir } from "./paths";
import { startScheduler } from "./scheduler";
import { applyHandlerEnvironment, startLocalServices } from "./stack";

const log = (line: string) => process.stderr.write(`${line}\n`);

async function main() {
  const started = Date.now();
  const port = Number(process.env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be a port number, got ${process.env.PORT}`);
  log("vaultops dev: starting Vault and DynamoDB...");
  const services = await startLocalServices({
    moto: process.env.VAULTOPS_DEV_MOTO === "1",
    ...(process.env.API_TOKEN ? { apiToken: process.env.API_TOKEN } : {}),
    ...(process.env.API_READ_TOKEN ? { apiReadToken: process.env.API_READ_TOKEN } : {}),
    log,
  });
  applyHandlerEnvironment({ ...services.env, LOG_LEVEL: process.env.LOG_LEVEL ?? "warn" });
  let api: Awaited<ReturnType<typeof startApiServer>>;
  try {
    api = await startApiServer({ port, log });
  } catch (error) {
    await services.stop();
    throw error;
  }
  const scheduler = startScheduler({ log });
  const facts = {
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
    `  API         ${facts.apiUrl}   (try: curl ${facts.apiUrl}/api/v1/vault/health)`,
    `  API token   ${facts.apiToken} (admin)   read-only: ${facts.apiReadToken}`,
    `  Vault       ${facts.vaultAddr}${services.vault.external ? " (from VAULT_ADDR)" : ""}`,
    `  Vault token ${facts.vaultToken}${facts.vaultUnsealKey ? `   unseal key: ${facts.vaultUnsealKey}` : ""}`,
    `  DynamoDB    ${facts.dynamodbEndpoint}`,
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
