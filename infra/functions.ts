import { functionRuntime, nodejsBuild } from "./bundling";
import { apiTokens, vaultCredentials } from "./secrets";
import { snapshotBucket, snapshotKey, table } from "./storage";

/** Deploy-time settings, read from the deployer's environment; the error names what is missing. */
function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set when deploying vaultops (see README: Deploy)`);
  return value;
}

/**
 * What every vaultops function shares: runtime, bundling (the one definition `npm run build` uses too),
 * environment, permissions. Not `as const`: SST's FunctionArgs takes mutable arrays.
 */
export const functionDefaults = {
  ...functionRuntime,
  nodejs: nodejsBuild,
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
    EVENT_BUS_NAME: "default",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  },
  permissions: [
    { actions: ["secretsmanager:GetSecretValue"], resources: [vaultCredentials.arn, apiTokens.arn] },
    { actions: ["cloudwatch:PutMetricData"], resources: ["*"] },
    { actions: ["events:PutEvents"], resources: ["*"] },
    { actions: ["kms:GenerateDataKey", "kms:Decrypt"], resources: [snapshotKey.arn] },
  ],
};
