import { randomBytes } from "node:crypto";
import {
  type AwsClients,
  BackendRouter,
  ConfigActivity,
  type ConfigBackend,
  ConfigService,
  ConfigStore,
  createLogger,
  type KeyProvider,
  type SnapshotStorage,
  StateTable,
  TwoTierCache,
} from "@vaultops/core";
import { MemoryTable } from "../../../packages/dev/src/capacity/memory-table";
import { MemoryAuditLog, MemoryCacheStore, MemoryEvents, MemoryKv, manualClock } from "./memory";

/**
 * The core services wired on in-memory ports, for unit tests that start no server: KV v2 (MemoryKv),
 * both cache tiers, audit, events, and the state table (the capacity model's in-memory DynamoDB).
 */

/** The state table on an in-memory document client: the real Dynamo* stores run on it unchanged. */
export function memoryStateTable(): { table: MemoryTable; state: StateTable } {
  const table = new MemoryTable(() => 0);
  const clients = { documentClient: async () => table.client } as unknown as AwsClients;
  return { table, state: new StateTable(clients, "vaultops-unit") };
}

/** The configuration service on one in-memory Vault backend, on a clock the test moves. */
export function configServices() {
  const clock = manualClock();
  const kv = new MemoryKv(clock.now);
  const cacheStore = new MemoryCacheStore();
  const cache = new TwoTierCache(cacheStore, { ttlMs: 900_000, generationCheckMs: 1_000, clock });
  const logger = createLogger({}, "error", () => {});
  const audit = new MemoryAuditLog();
  const events = new MemoryEvents();
  const store = new ConfigStore({ kv, cache, logger });
  const backend: ConfigBackend = {
    name: "vault",
    label: "Vault",
    kv,
    store,
    scope: { within: (fn) => fn() },
    check: async () => {},
  };
  const config = new ConfigService({
    backends: new BackendRouter([], new Map([["vault", backend]])),
    cache,
    activity: new ConfigActivity({ audit, events, logger }),
    valueMaxBytes: 32_768,
  });
  return { clock, kv, cacheStore, cache, logger, audit, events, backend, config };
}

/** Data keys "wrapped" by reference: a wrapped key is a handle this provider alone can unwrap. */
export class MemoryKeys implements KeyProvider {
  readonly keyId = "memory-key";
  private readonly keys = new Map<string, Buffer>();

  async generateDataKey() {
    const plaintext = randomBytes(32);
    const wrapped = randomBytes(16);
    this.keys.set(wrapped.toString("hex"), plaintext);
    return { plaintext: Buffer.from(plaintext), wrapped };
  }

  async unwrap(wrapped: Buffer) {
    const key = this.keys.get(wrapped.toString("hex"));
    if (!key) throw new Error("unknown data key");
    return Buffer.from(key);
  }
}

/** Snapshot blobs in a Map (as the local directory storage keeps them, without the files). */
export class MemorySnapshotStorage implements SnapshotStorage {
  readonly kind = "local" as const;
  readonly blobs = new Map<string, Buffer>();

  async put(id: string, blob: Buffer) {
    this.blobs.set(id, Buffer.from(blob));
    return `memory://${id}`;
  }

  async get(id: string) {
    const blob = this.blobs.get(id);
    if (!blob) throw new Error(`no snapshot blob ${id}`);
    return Buffer.from(blob);
  }

  async delete(id: string) {
    this.blobs.delete(id);
  }
}
