import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { keys } from "../aws/key-space";
import type { StateTable } from "../aws/state-table";
import { VaultError, VaultPermissionError } from "../errors";
import type { VaultGateway } from "../vault/gateway";

/**
 * The figures of Vault's own telemetry (GET /v1/sys/metrics, JSON) an operator looks at first, as
 * the health job last read them. Vault reports them per in-memory interval (10 s by default):
 * counts are of that interval, rates per second.
 */
export interface VaultTelemetry {
  read_at: string;
  /** When Vault says the interval was taken. */
  vault_timestamp: string | null;
  requests: { count: number; per_second: number; mean_ms: number | null; max_ms: number | null };
  token_lookups: number;
  /** KV reads and writes on the plane's mount, where Vault reports them (route metrics). */
  kv: { reads: number; writes: number; mount: string };
  leases: number | null;
  in_flight_requests: number | null;
  unsealed: boolean | null;
  active: boolean | null;
}

/** What status shows when the figures cannot be read (no policy, Vault down). */
export interface TelemetryUnavailable {
  available: false;
  read_at: string;
  reason: string;
}

export type TelemetryState = (VaultTelemetry & { available: true }) | TelemetryUnavailable;

interface Metric {
  Name: string;
  Value?: number;
  Count?: number;
  Rate?: number;
  Mean?: number;
  Max?: number;
  Labels?: Record<string, string>;
}
interface MetricsJson {
  Timestamp?: string;
  Gauges?: Metric[];
  Counters?: Metric[];
  Samples?: Metric[];
}

/** The policy line the plane's token needs for these figures. */
export const TELEMETRY_POLICY = 'path "sys/metrics" { capabilities = ["read"] }';

/** Picks the figures out of Vault's JSON; metric names follow Vault's (OpenBao's) telemetry reference. */
export function summarizeTelemetry(json: MetricsJson, mount: string, readAt: number): VaultTelemetry {
  const samples = json.Samples ?? [];
  const sample = (name: string) => samples.find((s) => s.Name === name);
  const sum = (names: string[]) =>
    samples.filter((s) => names.includes(s.Name)).reduce((n, s) => n + (s.Count ?? 0), 0);
  // A gauge may be reported per cluster, with a cluster-less twin at 0: take the labelled one.
  const gauge = (name: string) => {
    const all = (json.Gauges ?? []).filter((g) => g.Name === name);
    const labelled = all.find((g) => g.Labels?.cluster) ?? all[0];
    return labelled?.Value ?? null;
  };
  const requests = sample("vault.core.handle_request");
  const route = (op: string) => `vault.route.${op}.${mount}-`;
  const timestamp = json.Timestamp
    ? Date.parse(json.Timestamp.replace(" +0000 UTC", "Z").replace(" ", "T"))
    : Number.NaN;
  return {
    read_at: new Date(readAt).toISOString(),
    vault_timestamp: Number.isNaN(timestamp) ? null : new Date(timestamp).toISOString(),
    requests: {
      count: requests?.Count ?? 0,
      per_second: Number((requests?.Rate ?? 0).toFixed(3)),
      mean_ms: requests?.Mean === undefined ? null : Number(requests.Mean.toFixed(3)),
      max_ms: requests?.Max === undefined ? null : Number(requests.Max.toFixed(3)),
    },
    token_lookups: sample("vault.token.lookup")?.Count ?? 0,
    kv: {
      reads: sum([route("read"), route("list")]),
      writes: sum([route("create"), route("update"), route("delete")]),
      mount,
    },
    leases: gauge("vault.expire.num_leases"),
    in_flight_requests: gauge("vault.core.in_flight_requests"),
    unsealed: gauge("vault.core.unsealed") === null ? null : gauge("vault.core.unsealed") === 1,
    active: gauge("vault.core.active") === null ? null : gauge("vault.core.active") === 1,
  };
}

/** Reads sys/metrics with the plane's token; a refusal or an outage is a state, not an error. */
export async function readTelemetry(gateway: VaultGateway, mount: string, now: number): Promise<TelemetryState> {
  try {
    const json = await gateway.request<MetricsJson>("sys_metrics", { method: "GET", path: "/sys/metrics" });
    return { available: true, ...summarizeTelemetry(json, mount, now) };
  } catch (error) {
    const reason =
      error instanceof VaultPermissionError
        ? `the plane's token may not read sys/metrics; its policy needs: ${TELEMETRY_POLICY}`
        : error instanceof VaultError
          ? error.message
          : "sys/metrics could not be read";
    return { available: false, read_at: new Date(now).toISOString(), reason };
  }
}

const KEY = keys.telemetry;

/** The last telemetry the health job read, shared by every container. */
export interface TelemetryStore {
  save(state: TelemetryState): Promise<void>;
  get(): Promise<TelemetryState | undefined>;
}

export class DynamoTelemetryStore implements TelemetryStore {
  constructor(private readonly table: StateTable) {}

  async save(state: TelemetryState): Promise<void> {
    await this.table.run("telemetry write", (c, TableName) =>
      c.send(new PutCommand({ TableName, Item: { ...KEY, state } })),
    );
  }

  async get(): Promise<TelemetryState | undefined> {
    const out = await this.table.run("telemetry read", (c, TableName) =>
      c.send(new GetCommand({ TableName, Key: KEY })),
    );
    return out.Item?.state as TelemetryState | undefined;
  }
}
