/** Vault's sys/health flags, reduced to the states the health API names. */
export type VaultStatus = "healthy" | "standby" | "performance_standby" | "sealed" | "uninitialized" | "unhealthy";

export interface VaultHealth {
  status: VaultStatus;
  initialized: boolean;
  sealed: boolean;
  standby: boolean;
  performanceStandby: boolean;
  version?: string;
  clusterName?: string;
  clusterId?: string;
  serverTimeUtc?: number;
  checkedAt: number;
  durationMs: number;
  error?: string;
}

interface SysHealthBody {
  initialized?: boolean;
  sealed?: boolean;
  standby?: boolean;
  performance_standby?: boolean;
  version?: string;
  cluster_name?: string;
  cluster_id?: string;
  server_time_utc?: number;
}

export function classifyHealth(body: unknown, checkedAt: number, durationMs: number): VaultHealth {
  const b = (body ?? {}) as SysHealthBody;
  const initialized = b.initialized === true;
  const sealed = b.sealed === true;
  const standby = b.standby === true;
  const performanceStandby = b.performance_standby === true;
  let status: VaultStatus;
  if (!initialized) status = "uninitialized";
  else if (sealed) status = "sealed";
  else if (performanceStandby) status = "performance_standby";
  else if (standby) status = "standby";
  else status = "healthy";
  const health: VaultHealth = { status, initialized, sealed, standby, performanceStandby, checkedAt, durationMs };
  if (b.version !== undefined) health.version = b.version;
  if (b.cluster_name !== undefined) health.clusterName = b.cluster_name;
  if (b.cluster_id !== undefined) health.clusterId = b.cluster_id;
  if (b.server_time_utc !== undefined) health.serverTimeUtc = b.server_time_utc;
  return health;
}

export function unreachableHealth(error: string, checkedAt: number, durationMs: number): VaultHealth {
  return {
    status: "unhealthy",
    initialized: false,
    sealed: false,
    standby: false,
    performanceStandby: false,
    checkedAt,
    durationMs,
    error,
  };
}
