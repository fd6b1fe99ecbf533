import { AwsClients, ensureTable } from "@vaultops/core";
import { resetDefaultContext } from "@vaultops/lambda";
import { type DynamoServer, externalDynamo, startDynamoServer } from "./dynamodb-server";
import { type MotoServer, startMotoServer } from "./moto-server";
import { externalVault, startVaultServer, type VaultServer } from "./vault-server";

export const DEFAULT_API_TOKEN = "vaultops-dev-token";
export const DEFAULT_API_READ_TOKEN = "vaultops-dev-read-token";

export interface LocalServices {
  vault: VaultServer;
  dynamo: DynamoServer;
  moto?: MotoServer;
  tableName: string;
  /** The environment the handlers read, as infra sets it in AWS. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * Starts what the handlers need on loopback: Vault (or the one VAULT_ADDR names), dynalite with
 * the table, and moto when asked; returns the environment to give the handlers.
 */
export async function startLocalServices(options: {
  moto?: boolean;
  useExternalVault?: boolean;
  /** DYNAMODB_ENDPOINT set (moto's server, say): use it and start no dynalite. Default true. */
  useExternalDynamo?: boolean;
  apiToken?: string;
  apiReadToken?: string;
  log?: (line: string) => void;
}): Promise<LocalServices> {
  // Local runs use Node 20 (Lambda runs 22); the SDK's version notice is noise here. Emulators take any key.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  process.env.AWS_ACCESS_KEY_ID ??= "local";
  process.env.AWS_SECRET_ACCESS_KEY ??= "local";
  const started: Array<{ stop(): Promise<void> }> = [];
  const stopAll = async () => {
    for (const s of started.reverse()) await s.stop().catch(() => {});
  };
  try {
    const [vault, dynamo, moto] = await Promise.all([
      (options.useExternalVault !== false ? externalVault() : undefined) ?? startVaultServer({ log: options.log }),
      (options.useExternalDynamo !== false ? externalDynamo() : undefined) ?? startDynamoServer(),
      options.moto ? startMotoServer(options.log) : Promise.resolve(undefined),
    ]);
    started.push(vault, dynamo);
    if (moto) started.push(moto);
    const tableName = "vaultops-state";
    const env: Record<string, string> = {
      STAGE: "dev",
      VAULT_ADDR: vault.addr,
      VAULT_AUTH_METHOD: "token",
      VAULT_TOKEN: vault.rootToken,
      TABLE_NAME: tableName,
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY,
      API_TOKEN: options.apiToken ?? DEFAULT_API_TOKEN,
      API_READ_TOKEN: options.apiReadToken ?? DEFAULT_API_READ_TOKEN,
      // More tokens, as the production secret lists them (hashes, scopes, paths, expiry).
      ...(process.env.API_TOKENS_JSON ? { API_TOKENS_JSON: process.env.API_TOKENS_JSON } : {}),
      CLOUDWATCH_ENABLED: moto ? "true" : "false",
      EVENTS_ENABLED: moto ? "true" : "false",
      // No CloudWatch agent reads the local runtime's stdout.
      EMF_ENABLED: process.env.EMF_ENABLED ?? "false",
    };
    if (moto) env.AWS_ENDPOINT_URL = moto.endpoint;
    await ensureTable(new AwsClients({ region: env.AWS_REGION as string, dynamodb: dynamo.endpoint }), tableName);
    const services: LocalServices = { vault, dynamo, tableName, env, stop: stopAll };
    if (moto) services.moto = moto;
    return services;
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** Points this process's handlers at `env` (they build their context from process.env on first use). */
export function applyHandlerEnvironment(env: Record<string, string>): void {
  Object.assign(process.env, env);
  resetDefaultContext();
}
