import type { TestProject } from "vitest/node";
import { startLocalServices } from "../../packages/dev/src/stack";

/**
 * Starts the real services once for the whole run: OpenBao in dev mode, dynalite, moto (all on
 * free loopback ports). Suites that seal Vault start their own server; each suite uses its own table.
 */
export default async function setup(project: TestProject) {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const started = Date.now();
  const services = await startLocalServices({ moto: true, useExternalVault: false, log });
  log(`[test] services ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  project.provide("services", {
    vaultAddr: services.vault.addr,
    vaultToken: services.vault.rootToken,
    dynamodbEndpoint: services.dynamo.endpoint,
    awsEndpoint: services.moto?.endpoint ?? "",
  });
  return async () => {
    await services.stop();
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    services: { vaultAddr: string; vaultToken: string; dynamodbEndpoint: string; awsEndpoint: string };
  }
}
