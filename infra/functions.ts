import { functionFor, functionRuntime, hook, nodejsBuild } from "@vaultops/build-definition";
import { type Grant, type ResourceRole, rightsKindOf, rightsOf } from "./rights";
import { apiTokens, vaultCredentials } from "./secrets";
import { stageSettings } from "./stages";
import { snapshotBucket, snapshotKey, table } from "./storage";

/** This stage's settings (infra/stages.ts): nothing comes from the deploying shell. */
export const stage = stageSettings($app.stage);

const region = aws.getRegionOutput().name;
const account = aws.getCallerIdentityOutput().accountId;

/** The ARNs each resource role of infra/rights.ts stands for on this stage. */
const resourceArns: Record<ResourceRole, $util.Input<string>[]> = {
  table: [table.arn],
  "secret:vault-credentials": [vaultCredentials.arn],
  "secret:api-tokens": [apiTokens.arn],
  "secret:config": [$interpolate`arn:aws:secretsmanager:${region}:${account}:secret:${stage.secretsPrefix}/*`],
  // The snapshot files only (packages/core/src/snapshot/storage.ts writes under snapshots/).
  "bucket:snapshots": [$interpolate`${snapshotBucket.arn}/snapshots/*`],
  "key:snapshots": [snapshotKey.arn],
  bus: [$interpolate`arn:aws:events:${region}:${account}:event-bus/default`],
  namespace: ["*"],
  "*": ["*"],
};

/** One IAM statement per grant of infra/rights.ts, on this stage's resources. */
export function permissionsFor(grants: Grant[]) {
  return grants.map((grant) => ({
    actions: grant.actions,
    resources: resourceArns[grant.resource],
    ...(grant.leadingKeys
      ? {
          conditions: [
            { test: "ForAllValues:StringLike", variable: "dynamodb:LeadingKeys", values: grant.leadingKeys },
          ],
        }
      : grant.resource === "namespace"
        ? { conditions: [{ test: "StringEquals", variable: "cloudwatch:namespace", values: [stage.metricsNamespace] }] }
        : {}),
  }));
}

/**
 * Only Lambda may assume a function's role. SST 3.19.3 chooses the role's trust policy on `!dev` where
 * `dev` is a Pulumi Output (always truthy as an object), so every role, production's included, would also
 * trust the account root (found by the deploy rehearsal; `npm run rehearse`).
 */
const lambdaTrustPolicy = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

/** The environment every function reads its settings from (packages/core/src/settings.ts). */
const environment: Record<string, $util.Input<string>> = {
  STAGE: $app.stage,
  VAULT_ADDR: stage.vault.address,
  // The stage's method, else the one default (packages/core/src/vault/auth-method.ts): AppRole.
  VAULT_AUTH_METHOD: stage.vault.authMethod,
  ...(stage.vault.namespace ? { VAULT_NAMESPACE: stage.vault.namespace } : {}),
  ...(stage.vault.awsRole ? { VAULT_AWS_ROLE: stage.vault.awsRole } : {}),
  ...(stage.vault.approleRole ? { VAULT_APPROLE_ROLE: stage.vault.approleRole } : {}),
  VAULT_CREDENTIALS_SECRET: vaultCredentials.arn,
  API_TOKENS_SECRET: apiTokens.arn,
  TABLE_NAME: table.name,
  SNAPSHOT_BUCKET: snapshotBucket.name,
  SNAPSHOT_KMS_KEY_ID: snapshotKey.arn,
  METRICS_NAMESPACE: stage.metricsNamespace,
  PLANNED_CREATORS: stage.plannedCreators.join(","),
  CONFIG_BACKENDS: stage.configBackends,
  AWS_SECRETS_PREFIX: stage.secretsPrefix,
  AWS_SECRETS_RECOVERY_DAYS: String(stage.secretsRecoveryDays),
  CAPACITY_READS_PER_SECOND: String(stage.capacity.readsPerSecond),
  CAPACITY_CONTAINERS: String(stage.capacity.containers),
  EVENT_BUS_NAME: "default",
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
};

/**
 * What SST gets for the function of `handler`: runtime, the build definition `npm run build` hands SST's
 * builder too (`nodejs`, `hook`), its size (@vaultops/build-definition's catalogue), the stage's environment and
 * the rights of its kind (infra/rights.ts). No `link`: SST's link grants `dynamodb:*` and `s3:*`.
 */
export function functionArgs(handler: string) {
  const spec = functionFor(handler);
  return {
    ...functionRuntime,
    handler: spec.handler,
    memory: spec.memory,
    timeout: spec.timeout,
    nodejs: nodejsBuild,
    hook,
    environment,
    permissions: permissionsFor(rightsOf(rightsKindOf(spec.name), stage)),
    transform: { role: { assumeRolePolicy: lambdaTrustPolicy } },
  };
}
