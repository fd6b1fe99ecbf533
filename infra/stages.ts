/**
 * Everything that shapes a deploy, per stage, in the repository: `sst deploy --stage <name>` reads
 * its entry here and nothing from the deploying shell, so a deploy from a clean shell changes nothing
 * and one stage never reaches another's data. A stage without an entry fails the deploy naming it.
 * Pure data and functions, no SST globals: tests import it.
 */
import type { VaultAuthMethod } from "@vaultops/core/auth-method";
import { stageMetricsNamespace } from "@vaultops/core/metric-names";
import { parseRouting, routedBackends } from "@vaultops/core/routing";

export interface StageSettings {
  vault: {
    /** Vault's address, as the functions reach it. */
    address: string;
    /** How the plane logs in: AppRole (credentials in the stage's secret), AWS IAM, or a token in the secret. */
    authMethod: VaultAuthMethod;
    namespace?: string;
    /** The `aws` auth method's role. */
    awsRole?: string;
    /** The AppRole role whose secret_id the credential rotation renews (else the secret's `role_name`). */
    approleRole?: string;
  };
  /** Which backend serves each environment/service (`CONFIG_BACKENDS`): `prod/payments=aws,*=vault`. */
  configBackends?: string;
  /** Secrets Manager names `{prefix}/{env}/{service}/{key}`; default `vaultops/<stage>`. */
  secretsPrefix?: string;
  /** Days a deleted Secrets Manager configuration can be restored (7 to 30). */
  secretsRecoveryDays?: number;
  /**
   * Secrets Manager rotates the Vault credentials secret every 30 days. Turn on only once the secret
   * holds AppRole credentials: a rotation starts as soon as it is declared (README: Deploy).
   */
  credentialRotation?: boolean;
  /** Token names whose creations are planned; any other create counts as UnplannedKeyCreation. */
  plannedCreators?: string[];
  /** environment/service scopes whose unusual reads clear their cache and rotate their secrets. */
  alarmScopes?: string[];
  /**
   * The peak load the stage is sized for (README: Capacity): audited config reads a second and warm
   * containers. It spreads the audit trail, the counters and the cache's sync item; raise it before
   * the load comes. Default 1,000 reads a second, 100 containers.
   */
  capacity?: { readsPerSecond: number; containers: number };
}

/** The stages this repository deploys. Add yours; the values are not secrets (credentials live in Secrets Manager). */
export const stages: Record<string, StageSettings> = {
  production: {
    vault: { address: "https://vault.example.com:8200", authMethod: "approle" },
    configBackends: "prod/payments=aws,*=vault",
    // On once the credentials secret holds AppRole credentials (README: Deploy).
    credentialRotation: false,
    plannedCreators: ["ci", "migration"],
    alarmScopes: ["prod/payments"],
    capacity: { readsPerSecond: 20_000, containers: 2_000 },
  },
  staging: {
    vault: { address: "https://vault.staging.example.com:8200", authMethod: "approle" },
    configBackends: "*=vault",
    plannedCreators: ["ci"],
  },
  dev: {
    vault: { address: "https://vault.dev.example.com:8200", authMethod: "approle" },
  },
};

/** A stage's settings with every default filled in, checked: the error names the stage and the setting. */
export function stageSettings(stage: string, table: Record<string, StageSettings> = stages) {
  const entry = table[stage];
  if (!entry)
    throw new Error(
      `infra/stages.ts has no entry for stage "${stage}" (it has ${Object.keys(table).join(", ")}): add one before deploying it`,
    );
  const fail = (what: string): never => {
    throw new Error(`infra/stages.ts, stage "${stage}": ${what}`);
  };
  if (!/^https?:\/\/[^\s/]+/.test(entry.vault.address)) fail(`vault.address "${entry.vault.address}" is not a URL`);
  if (entry.vault.authMethod === "aws" && !entry.vault.awsRole) fail("vault.authMethod aws needs vault.awsRole");
  const configBackends = entry.configBackends ?? "*=vault";
  let routed: string[] = [];
  try {
    routed = routedBackends(parseRouting(configBackends));
  } catch (error) {
    fail(`configBackends: ${(error as Error).message}`);
  }
  const days = entry.secretsRecoveryDays ?? 7;
  if (!Number.isInteger(days) || days < 7 || days > 30) fail(`secretsRecoveryDays ${days} is not 7 to 30`);
  for (const scope of entry.alarmScopes ?? [])
    if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(scope)) fail(`alarm scope "${scope}" is not environment/service`);
  const capacity = entry.capacity ?? { readsPerSecond: 1_000, containers: 100 };
  for (const [name, value] of Object.entries(capacity))
    if (!Number.isInteger(value) || value < 1) fail(`capacity.${name} ${value} is not a positive integer`);
  if (entry.credentialRotation && entry.vault.authMethod !== "approle")
    fail("credentialRotation rotates an AppRole secret_id: it needs vault.authMethod approle");
  return {
    stage,
    vault: entry.vault,
    configBackends,
    awsBackendRouted: routed.includes("aws"),
    secretsPrefix: entry.secretsPrefix ?? `vaultops/${stage}`,
    secretsRecoveryDays: days,
    credentialRotation: entry.credentialRotation ?? false,
    plannedCreators: entry.plannedCreators ?? [],
    alarmScopes: entry.alarmScopes ?? [],
    capacity,
    /** CloudWatch namespace of the stage's metrics (and its alarms): one stage's figures never mix with another's. */
    metricsNamespace: stageMetricsNamespace(stage),
  };
}

export type ResolvedStage = ReturnType<typeof stageSettings>;
