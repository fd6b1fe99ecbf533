import {
  type AwsClients,
  createContext,
  createLogger,
  loadSettings,
  type MetricDatum,
  StateTable,
  VaultConnectionError,
  type VaultRequest,
  VaultSealedError,
} from "@vaultops/core";
import { MemoryTable } from "../../../../packages/dev/src/capacity/memory-table";
import { MemoryKv, manualClock } from "../../support/memory";

/** What the fake Vault is: answering, sealed, or not reachable at all. */
export interface FakeVaultState {
  health: "healthy" | "sealed" | "down";
  ttl: number;
  renewable: boolean;
}

/** Vault's API as the monitor uses it (sys/health, lookup-self, renew-self, sys/metrics), every call kept. */
export function fakeVault(initial: Partial<FakeVaultState> = {}) {
  const state: FakeVaultState = { health: "healthy", ttl: 7_200, renewable: true, ...initial };
  const calls: string[] = [];
  const transport = async (request: VaultRequest): Promise<unknown> => {
    const path = request.path.split("?")[0] ?? "";
    calls.push(`${request.method} ${path}`);
    if (state.health === "down") {
      throw new VaultConnectionError("Vault is not available", {
        details: `${request.method} ${request.path}: connect ECONNREFUSED 10.0.0.7:8200`,
      });
    }
    if (path === "/sys/health") return { initialized: true, sealed: state.health === "sealed", version: "1.19.0" };
    if (state.health === "sealed") throw new VaultSealedError("Vault is sealed");
    if (path === "/auth/token/lookup-self") return { data: { ttl: state.ttl, renewable: state.renewable } };
    if (path === "/auth/token/renew-self") {
      state.ttl = 7_200;
      return { auth: { lease_duration: state.ttl, renewable: state.renewable } };
    }
    if (path === "/sys/metrics") return { Timestamp: "2026-01-01 00:00:00 +0000 UTC", Samples: [], Gauges: [] };
    throw new Error(`the fake Vault has no ${request.method} ${request.path}`);
  };
  /** The calls to one path since the last `reset`. */
  const count = (method: string, path: string) => calls.filter((c) => c === `${method} ${path}`).length;
  const reset = () => calls.splice(0);
  return { state, calls, transport, count, reset };
}

/**
 * A real context (createContext, as a Lambda container builds it) on the state table and KV v2 in
 * memory, a fake Vault and a clock the test moves: the monitor wired as in production, no server.
 */
export function monitorContext(vault = fakeVault(), env: Record<string, string> = {}) {
  const clock = manualClock();
  const table = new MemoryTable(() => Math.floor(clock.now() / 1000));
  const clients = { documentClient: async () => table.client } as unknown as AwsClients;
  const kv = new MemoryKv(clock.now);
  const published: MetricDatum[] = [];
  const settings = loadSettings({
    STAGE: "unit",
    TABLE_NAME: "vaultops-unit",
    VAULT_ADDR: "http://vault.unit:8200",
    VAULT_TOKEN: "unit-token",
    // The clock stands still: a login to a Vault that is down gives up on this (real) deadline.
    VAULT_LOGIN_DEADLINE_MS: "50",
    LOG_LEVEL: "error",
    EMF_ENABLED: "false",
    EVENTS_ENABLED: "false",
    ...env,
  });
  const ctx = createContext(settings, {
    clock,
    logger: createLogger({ service: "unit" }, "error", () => {}),
    transport: vault.transport,
    table: new StateTable(clients, settings.TABLE_NAME),
    vaultKv: kv,
    metricsSink: {
      publish: async (metrics) => {
        published.push(...metrics);
      },
    },
  });
  return { ctx, clock, vault, kv, table, published };
}
