/**
 * The AWS rights of every function, by kind: what the functions of a kind call, and nothing else.
 * Written from the calls the test suites record (packages/core/src/aws/call-recorder.ts) and checked
 * against them by test/rights/rights.test.ts: every recorded call is covered by its function's kind,
 * and every action granted to a kind is made by some function of that kind. infra/functions.ts turns
 * a kind into IAM statements on this stage's resources. Pure data, no SST globals: tests import it.
 *
 * Resources are named by role: `table` (DynamoDB, with the partition-key classes of
 * packages/core/src/aws/key-space.ts as `dynamodb:LeadingKeys`), `secret:vault-credentials`,
 * `secret:api-tokens`, `secret:config` (the stage's configurations in Secrets Manager, granted only
 * when a scope is routed there), `bucket:snapshots` (its `snapshots/` objects), `key:snapshots` (KMS),
 * `bus` (EventBridge), `namespace` (CloudWatch PutMetricData in the stage's namespace), `*`.
 */
import { jobFunction, jobNames } from "@vaultops/core/job-names";
import type { LeadingKeyClass } from "@vaultops/core/key-space";

export type ResourceRole =
  | "table"
  | "secret:vault-credentials"
  | "secret:api-tokens"
  | "secret:config"
  | "bucket:snapshots"
  | "key:snapshots"
  | "bus"
  | "namespace"
  | "*";

export interface Grant {
  /** IAM actions, with their service prefix. */
  actions: string[];
  resource: ResourceRole;
  /** DynamoDB: the only partition-key classes these actions may touch. */
  leadingKeys?: LeadingKeyClass[];
}

type DynamoAction = "GetItem" | "BatchGetItem" | "Query" | "PutItem" | "UpdateItem" | "DeleteItem" | "BatchWriteItem";

/** DynamoDB rights: each action with the key classes it may touch. */
const table = (rights: Partial<Record<DynamoAction, LeadingKeyClass[]>>): Grant[] =>
  Object.entries(rights).map(([action, leadingKeys]) => ({
    actions: [`dynamodb:${action}`],
    resource: "table",
    leadingKeys: [...(leadingKeys ?? [])].sort(),
  }));

const secrets = (resource: ResourceRole, ...actions: string[]): Grant => ({
  actions: actions.map((a) => `secretsmanager:${a}`),
  resource,
});

/** The plane's Vault login reads its credentials. */
const vaultLogin = secrets("secret:vault-credentials", "GetSecretValue");
/** Secrets Manager's health check and lists: ListSecrets takes no resource (it answers names, never values). */
const listSecrets = secrets("*", "ListSecrets");
const readConfigSecrets = secrets("secret:config", "GetSecretValue", "DescribeSecret", "ListSecretVersionIds");
const publishEvents: Grant = { actions: ["events:PutEvents"], resource: "bus" };

export type RightsKind =
  | "authorizer"
  | "static"
  | "public-health"
  | "monitor"
  | "config-read"
  | "config-write"
  | "rotation"
  | "snapshots"
  | "audit"
  | "plane-admin"
  | "health-job"
  | "cache-sweep"
  | "incident"
  | "credential-rotation";

/**
 * Every function's kind and every kind's rights. A refused request (401/403) on any protected route is
 * audited (`audit#*` PutItem) and counted (`counters#*` UpdateItem): every protected kind has both.
 */
export const rightsKinds: Record<RightsKind, { functions: string[]; rights: Grant[] }> = {
  authorizer: {
    functions: ["auth-authorizer"],
    rights: [secrets("secret:api-tokens", "GetSecretValue")],
  },
  static: {
    functions: ["meta-openapi", "meta-fallback"],
    rights: [],
  },
  "public-health": {
    functions: ["vault-health"],
    rights: [
      ...table({
        BatchGetItem: ["counters#*"],
        // `layout`: how many counter items to read (counters in the health answer).
        GetItem: ["layout"],
        PutItem: ["health"],
        UpdateItem: ["counters#*"],
      }),
      vaultLogin,
    ],
  },
  monitor: {
    functions: ["vault-metrics", "vault-status", "config-status", "auth-token-self"],
    rights: [
      ...table({
        BatchGetItem: ["counters#*"],
        // `cache`: the sweep's record (the shared tier's size as of the last sweep).
        GetItem: ["cache", "health", "job#*", "layout"],
        Query: ["snapshots"],
        PutItem: ["audit#*", "health"],
        UpdateItem: ["counters#*"],
      }),
      vaultLogin,
      listSecrets,
    ],
  },
  "config-read": {
    functions: ["config-get", "config-list", "config-versions"],
    rights: [
      ...table({
        GetItem: ["cache#*", "sync#*"],
        // A list page looks its keys up in one call.
        BatchGetItem: ["cache#*"],
        PutItem: ["audit#*", "cache#*"],
        BatchWriteItem: ["audit#*"],
        DeleteItem: ["cache#*"],
        // `sync#*`: the change list every container reads (a read that found a newer version announces it).
        UpdateItem: ["counters#*", "sync#*"],
      }),
      vaultLogin,
      readConfigSecrets,
      listSecrets,
    ],
  },
  "config-write": {
    functions: ["config-create", "config-update", "config-delete", "config-rollback", "config-copy"],
    rights: [
      ...table({
        // `claims`: one winner among concurrent deletes of a version.
        PutItem: ["audit#*", "cache#*", "claims"],
        DeleteItem: ["cache#*", "claims"],
        UpdateItem: ["counters#*", "sync#*"],
      }),
      vaultLogin,
      readConfigSecrets,
      secrets(
        "secret:config",
        "CreateSecret",
        "PutSecretValue",
        "DeleteSecret",
        "RestoreSecret",
        // The sensitive mark: set by a write of a sensitive value, removed by an admin's explicit choice.
        "TagResource",
        "UntagResource",
      ),
      listSecrets,
      publishEvents,
    ],
  },
  rotation: {
    functions: [
      "rotation-put-policy",
      "rotation-get-policy",
      "rotation-delete-policy",
      "rotation-rotate",
      "rotation-history",
      "rotation-status",
      jobFunction(jobNames.rotation),
    ],
    rights: [
      ...table({
        GetItem: ["cache#*", "rotation#policies", "sync#*"],
        Query: ["rotation#history#*", "rotation#policies"],
        PutItem: ["audit#*", "cache#*", "job#*", "rotation#history#*", "rotation#policies"],
        UpdateItem: ["counters#*", "rotation#policies", "sync#*"],
        DeleteItem: ["cache#*", "rotation#policies"],
      }),
      vaultLogin,
      secrets(
        "secret:config",
        "GetSecretValue",
        "DescribeSecret",
        "ListSecretVersionIds",
        "PutSecretValue",
        "UpdateSecretVersionStage",
        "TagResource",
      ),
      publishEvents,
    ],
  },
  snapshots: {
    functions: [
      "snapshots-create",
      "snapshots-list",
      "snapshots-get",
      "snapshots-verify",
      "snapshots-restore",
      "snapshots-delete",
      jobFunction(jobNames.snapshot),
    ],
    rights: [
      ...table({
        GetItem: ["restore-plans", "snapshots"],
        Query: ["snapshots"],
        PutItem: ["audit#*", "cache#*", "job#*", "restore-plans", "snapshots"],
        UpdateItem: ["counters#*"],
        DeleteItem: ["cache#*", "snapshots"],
      }),
      vaultLogin,
      readConfigSecrets,
      secrets("secret:config", "CreateSecret", "PutSecretValue", "RestoreSecret", "TagResource"),
      listSecrets,
      { actions: ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"], resource: "bucket:snapshots" },
      { actions: ["kms:GenerateDataKey", "kms:Decrypt"], resource: "key:snapshots" },
    ],
  },
  audit: {
    functions: ["audit-query", "audit-summary", "audit-anomalies", "alarms-list"],
    rights: table({
      // `layout`: how many audit shards a day has.
      GetItem: ["layout"],
      Query: ["audit#*", "incidents"],
      PutItem: ["audit#*"],
      UpdateItem: ["counters#*"],
    }),
  },
  "plane-admin": {
    functions: ["vault-cache-clear", "vault-token-renew"],
    rights: [
      ...table({
        // `sync#*`: a clear reads every replica's generation and raises them all.
        BatchGetItem: ["counters#*", "sync#*"],
        GetItem: ["cache", "layout"],
        Query: ["cache#*"],
        PutItem: ["audit#*"],
        BatchWriteItem: ["cache#*"],
        UpdateItem: ["counters#*", "sync#*"],
      }),
      vaultLogin,
    ],
  },
  "health-job": {
    functions: [jobFunction(jobNames.healthCheck)],
    rights: [
      // `layout`: raised to this deploy's shard counts, each run.
      ...table({ GetItem: ["layout"], PutItem: ["audit#*", "health", "job#*", "layout"], UpdateItem: ["counters#*"] }),
      vaultLogin,
      listSecrets,
      { actions: ["cloudwatch:PutMetricData"], resource: "namespace" },
    ],
  },
  "cache-sweep": {
    functions: [jobFunction(jobNames.cacheSweep)],
    rights: table({
      GetItem: ["sync#*"],
      Query: ["cache#*"],
      // `cache`: the sweep's own record.
      PutItem: ["cache", "job#*"],
      DeleteItem: ["cache#*"],
      UpdateItem: ["counters#*", "sync#*"],
    }),
  },
  incident: {
    functions: ["alarms-incident"],
    rights: [
      ...table({
        GetItem: ["rotation#policies"],
        Query: ["cache#*", "rotation#policies"],
        PutItem: ["audit#*", "cache#*", "incidents", "rotation#history#*", "rotation#policies"],
        UpdateItem: ["counters#*", "rotation#policies", "sync#*"],
        DeleteItem: ["cache#*"],
        BatchWriteItem: ["cache#*"],
      }),
      vaultLogin,
      secrets("secret:config", "GetSecretValue", "DescribeSecret", "PutSecretValue", "TagResource"),
      publishEvents,
    ],
  },
  "credential-rotation": {
    functions: ["jobs-credential-rotation"],
    rights: [
      ...table({ UpdateItem: ["counters#*"] }),
      secrets(
        "secret:vault-credentials",
        "GetSecretValue",
        "DescribeSecret",
        "PutSecretValue",
        "UpdateSecretVersionStage",
      ),
    ],
  },
};

/** The kind of a function of the catalogue (by its name, as in dist/functions). */
export function rightsKindOf(functionName: string): RightsKind {
  for (const [kind, entry] of Object.entries(rightsKinds))
    if (entry.functions.includes(functionName)) return kind as RightsKind;
  throw new Error(`infra/rights.ts gives ${functionName} no kind: add it to one`);
}

/** A kind's rights on this stage: Secrets Manager configurations only when a scope is routed there. */
export function rightsOf(kind: RightsKind, options: { awsBackendRouted: boolean }): Grant[] {
  return rightsKinds[kind].rights.filter((g) => options.awsBackendRouted || g.resource !== "secret:config");
}
