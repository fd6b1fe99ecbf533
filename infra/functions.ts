import { DEFAULT_CONFIG_BACKENDS, DEFAULT_SECRETS_PREFIX, parseRouting, routedBackends } from "@vaultops/core/routing";
import { functionRuntime, hook, nodejsBuild } from "./bundling";
import { apiTokens, vaultCredentials } from "./secrets";
import { snapshotBucket, snapshotKey, table } from "./storage";

/** Deploy-time settings, read from the deployer's environment; the error names what is missing. */
function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set when deploying vaultops (see README: Deploy)`);
  return value;
}

/**
 * Which backend serves each environment/service (`CONFIG_BACKENDS`, checked here as at cold start):
 * Secrets Manager permissions, and its alarm, only when a scope is routed there.
 */
export const configBackends = process.env.CONFIG_BACKENDS ?? DEFAULT_CONFIG_BACKENDS;
export const secretsPrefix = process.env.AWS_SECRETS_PREFIX ?? DEFAULT_SECRETS_PREFIX;
export const awsBackendRouted = routedBackends(parseRouting(configBackends)).includes("aws");

/** What Secrets Manager configurations need: their own names only (`{prefix}/...`), and listing. */
const secretsManagerBackendPermissions = awsBackendRouted
  ? [
      {
        actions: [
          "secretsmanager:GetSecretValue",
          "secretsmanager:DescribeSecret",
          "secretsmanager:ListSecretVersionIds",
          "secretsmanager:CreateSecret",
          "secretsmanager:PutSecretValue",
          "secretsmanager:UpdateSecretVersionStage",
          "secretsmanager:DeleteSecret",
          "secretsmanager:RestoreSecret",
          "secretsmanager:TagResource",
        ],
        resources: [
          $interpolate`arn:aws:secretsmanager:${aws.getRegionOutput().name}:${aws.getCallerIdentityOutput().accountId}:secret:${secretsPrefix}/*`,
        ],
      },
      // ListSecrets takes no resource; it answers names and metadata, never values.
      { actions: ["secretsmanager:ListSecrets"], resources: ["*"] },
    ]
  : [];

/**
 * What every vaultops function shares: runtime, bundling (the one definition `npm run build` uses too),
 * environment, permissions. Not `as const`: SST's FunctionArgs takes mutable arrays.
 */
export const functionDefaults = {
  ...functionRuntime,
  nodejs: nodejsBuild,
  hook,
  link: [table, snapshotBucket],
  environment: {
    STAGE: $app.stage,
    VAULT_ADDR: required("VAULT_ADDR"),
    VAULT_AUTH_METHOD: process.env.VAULT_AUTH_METHOD ?? "approle",
    ...(process.env.VAULT_NAMESPACE ? { VAULT_NAMESPACE: process.env.VAULT_NAMESPACE } : {}),
    ...(process.env.VAULT_AWS_ROLE ? { VAULT_AWS_ROLE: process.env.VAULT_AWS_ROLE } : {}),
    VAULT_CREDENTIALS_SECRET: vaultCredentials.arn,
    API_TOKENS_SECRET: apiTokens.arn,
    TABLE_NAME: table.name,
    SNAPSHOT_BUCKET: snapshotBucket.name,
    SNAPSHOT_KMS_KEY_ID: snapshotKey.arn,
    ...(process.env.VAULT_APPROLE_ROLE ? { VAULT_APPROLE_ROLE: process.env.VAULT_APPROLE_ROLE } : {}),
    METRICS_NAMESPACE: "Vaultops",
    ...(process.env.PLANNED_CREATORS ? { PLANNED_CREATORS: process.env.PLANNED_CREATORS } : {}),
    CONFIG_BACKENDS: configBackends,
    AWS_SECRETS_PREFIX: secretsPrefix,
    ...(process.env.AWS_SECRETS_RECOVERY_DAYS
      ? { AWS_SECRETS_RECOVERY_DAYS: process.env.AWS_SECRETS_RECOVERY_DAYS }
      : {}),
    EVENT_BUS_NAME: "default",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  },
  permissions: [
    { actions: ["secretsmanager:GetSecretValue"], resources: [vaultCredentials.arn, apiTokens.arn] },
    { actions: ["cloudwatch:PutMetricData"], resources: ["*"] },
    { actions: ["events:PutEvents"], resources: ["*"] },
    { actions: ["kms:GenerateDataKey", "kms:Decrypt"], resources: [snapshotKey.arn] },
    ...secretsManagerBackendPermissions,
  ],
};
