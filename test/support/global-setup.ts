import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { startLocalServices } from "../../packages/dev/src/stack";

/**
 * Starts the real services for a project's run: OpenBao in dev mode, dynalite, moto (all on free
 * loopback ports). Suites that seal Vault start their own server; each suite uses its own table.
 */
export default async function setup(project: TestProject) {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const logFile = path.resolve(".vaultops/test-logs.jsonl");
  const secretsFile = path.resolve(".vaultops/test-secrets.txt");
  const callLog = path.resolve(".vaultops/aws-calls.jsonl");
  mkdirSync(path.dirname(logFile), { recursive: true });
  // Each project with services runs this setup; the run's files are emptied only by the first.
  const run = globalThis as { vaultopsTestRunStarted?: boolean };
  if (!run.vaultopsTestRunStarted) {
    writeFileSync(logFile, "");
    writeFileSync(secretsFile, "");
    writeFileSync(callLog, "");
    run.vaultopsTestRunStarted = true;
  }
  const started = Date.now();
  const services = await startLocalServices({ moto: true, useExternalVault: false, useExternalDynamo: false, log });
  log(`[test] services ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  project.provide("services", {
    vaultAddr: services.vault.addr,
    vaultToken: services.vault.rootToken,
    dynamodbEndpoint: services.dynamo.endpoint,
    awsEndpoint: services.moto?.endpoint ?? "",
  });
  appendFileSync(secretsFile, `${services.vault.rootToken}\n`);
  return async () => {
    await services.stop();
    // No secret value a test used may appear in any log line of the run.
    const logs = readFileSync(logFile, "utf8");
    const secrets = [
      ...new Set(
        readFileSync(secretsFile, "utf8")
          .split("\n")
          .filter((s) => s.length >= 8),
      ),
    ];
    const leaked = secrets.filter((secret) => logs.includes(secret));
    log(
      `[test] scanned ${logs.split("\n").length - 1} log lines for ${secrets.length} secret values: ${leaked.length} found`,
    );
    if (leaked.length > 0) {
      throw new Error(`secret values leaked into logs: ${leaked.map((s) => `${s.slice(0, 4)}...`).join(", ")}`);
    }
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    services: { vaultAddr: string; vaultToken: string; dynamodbEndpoint: string; awsEndpoint: string };
  }
}
