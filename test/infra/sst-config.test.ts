import path from "node:path";
import { pathToFileURL } from "node:url";
import { functionName } from "@vaultops/api";
import { functionCatalogue, hook, nodejsBuild } from "@vaultops/build-definition";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { rightsKindOf, rightsKinds } from "../../infra/rights";
import type { StageSettings } from "../../infra/stages";
import { readmeTable } from "../support/readme-tables";

/**
 * Loads sst.config.ts with SST's globals replaced by a recorder and checks what only our arguments
 * show, fast and for stages of its own (rotation on, a routed scope, a broken entry): the catalogue's
 * arguments, stage isolation from the shell, the IAM statements each function gets from infra/rights.ts,
 * the alarms against the README. The graph SST's own components build from them (routes, authorizer,
 * crons, TTL, policies, handlers, names) is test/infra/rehearsal.test.ts's.
 */
interface Recorded {
  type: string;
  name: string;
  args: Record<string, unknown>;
  opts: Record<string, unknown>;
  self: unknown;
}
type FunctionArgs = Record<string, unknown> & {
  handler: string;
  environment: Record<string, string>;
  permissions: Array<{
    actions: string[];
    resources: string[];
    conditions?: Array<{ test: string; variable: string; values: string[] }>;
  }>;
};

let recorded: Recorded[] = [];
let recordedRoutes: Array<{ route: string; handler: FunctionArgs; args: Record<string, unknown> }> = [];
let recordedAuthorizers: Array<Record<string, unknown>> = [];

function resource(type: string, outputs: Record<string, string> = {}) {
  return class {
    [key: string]: unknown;
    constructor(name: string, args: Record<string, unknown> = {}, opts: Record<string, unknown> = {}) {
      recorded.push({ type, name, args, opts, self: this });
      for (const [k, v] of Object.entries(outputs)) this[k] = `${v}:${name}`;
    }
  };
}

class Api extends resource("sst.aws.ApiGatewayV2", { url: "url" }) {
  nodes = { logGroup: { name: "log-group:Api" } };
  route(route: string, handler: FunctionArgs, args: Record<string, unknown> = {}) {
    recordedRoutes.push({ route, handler, args });
  }
  addAuthorizer(args: Record<string, unknown>) {
    recordedAuthorizers.push(args);
    return { id: `authorizer:${String(args.name)}` };
  }
}

interface Loaded {
  app: Record<string, unknown>;
  outputs: Record<string, unknown>;
  resources: Recorded[];
  routes: typeof recordedRoutes;
  authorizers: typeof recordedAuthorizers;
  /** Every function's arguments, by catalogue name. */
  functions: Map<string, FunctionArgs>;
  /** The build definition (@vaultops/build-definition) as the loaded config's module graph holds it. */
  nodejsBuild: unknown;
  hook: unknown;
}

/** Stages of this test, added to infra/stages.ts's table for the load. */
const testStages: Record<string, StageSettings> = {
  test: {
    vault: { address: "https://vault.test.example.com:8200", authMethod: "approle" },
    credentialRotation: true,
    alarmScopes: ["prod/payments"],
  },
  routed: {
    vault: { address: "https://vault.test.example.com:8200", authMethod: "approle" },
    configBackends: "prod/payments=aws,*=vault",
    secretsPrefix: "acme/cfg",
    plannedCreators: ["ci"],
  },
  "test-2": { vault: { address: "https://vault.test.example.com:8200", authMethod: "approle" } },
  broken: {
    vault: { address: "https://vault.test.example.com:8200", authMethod: "approle" },
    configBackends: "prod/payments=gcp",
  },
};

/** Runs sst.config.ts for a stage, with SST's and Pulumi's globals replaced by the recorder. */
async function load(stage: string, env: Record<string, string> = {}): Promise<Loaded> {
  recorded = [];
  recordedRoutes = [];
  recordedAuthorizers = [];
  vi.resetModules();
  const g = globalThis as Record<string, unknown>;
  g.$config = (config: unknown) => config;
  g.$app = { name: "vaultops", stage };
  g.$jsonStringify = (value: unknown) => JSON.stringify(value);
  g.$interpolate = (strings: TemplateStringsArray, ...values: unknown[]) =>
    strings.reduce((out, s, i) => out + s + (i < values.length ? String(values[i]) : ""), "");
  g.sst = {
    aws: {
      Dynamo: resource("sst.aws.Dynamo", { name: "table-name", arn: "table-arn" }),
      ApiGatewayV2: Api,
      Cron: resource("sst.aws.Cron"),
      Bucket: resource("sst.aws.Bucket", { name: "bucket-name", arn: "bucket-arn" }),
      Function: resource("sst.aws.Function", { name: "function-name", arn: "function-arn" }),
    },
  };
  g.aws = {
    secretsmanager: {
      Secret: resource("aws.secretsmanager.Secret", { arn: "secret-arn", id: "secret-id" }),
      SecretRotation: resource("aws.secretsmanager.SecretRotation"),
    },
    kms: { Key: resource("aws.kms.Key", { arn: "key-arn" }) },
    cloudwatch: {
      MetricAlarm: resource("aws.cloudwatch.MetricAlarm", { arn: "alarm-arn" }),
      LogMetricFilter: resource("aws.cloudwatch.LogMetricFilter"),
      Dashboard: resource("aws.cloudwatch.Dashboard", { dashboardName: "dashboard" }),
    },
    getRegionOutput: () => ({ name: "us-east-1" }),
    getCallerIdentityOutput: () => ({ accountId: "123456789012" }),
    lambda: { Permission: resource("aws.lambda.Permission") },
  };
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const stages = (await import(pathToFileURL(path.resolve("infra/stages.ts")).href)) as {
      stages: Record<string, StageSettings>;
    };
    Object.assign(stages.stages, testStages);
    // Imported by URL so that tsc does not follow it into SST's globals (tsconfig.infra.json checks it).
    const configUrl = pathToFileURL(path.resolve("sst.config.ts")).href;
    const config = ((await import(configUrl)) as { default: unknown }).default as {
      app(input: { stage: string }): Record<string, unknown>;
      run(): Promise<Record<string, unknown>>;
    };
    const loadedApp = config.app({ stage });
    const loadedOutputs = await config.run();
    const bundling = (await import("@vaultops/build-definition")) as {
      nodejsBuild: unknown;
      hook: unknown;
    };
    const functions = new Map<string, FunctionArgs>();
    const add = (args: FunctionArgs) => functions.set(functionName(args.handler), args);
    for (const r of recordedRoutes) add(r.handler);
    for (const a of recordedAuthorizers) add((a.lambda as { function: FunctionArgs }).function);
    for (const r of recorded) {
      if (r.type === "sst.aws.Function") add(r.args as FunctionArgs);
      if (r.type === "sst.aws.Cron") add(r.args.function as FunctionArgs);
    }
    return {
      app: loadedApp,
      outputs: loadedOutputs,
      resources: recorded,
      routes: recordedRoutes,
      authorizers: recordedAuthorizers,
      functions,
      nodejsBuild: bundling.nodejsBuild,
      hook: bundling.hook,
    };
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

let test: Loaded;
let production: Loaded;
let routed: Loaded;

beforeAll(async () => {
  test = await load("test");
  production = await load("production");
  routed = await load("routed");
});

const ofType = (loaded: Loaded, type: string) => loaded.resources.filter((r) => r.type === type);
const statementsOf = (loaded: Loaded, name: string) => loaded.functions.get(name)?.permissions ?? [];
const actionsOf = (loaded: Loaded, name: string) => statementsOf(loaded, name).flatMap((p) => p.actions);

describe("sst.config.ts", () => {
  it("names the app and retains production data", () => {
    expect(production.app).toMatchObject({ name: "vaultops", home: "aws", removal: "retain", protect: true });
    expect(test.outputs.api).toBe("url:Api");
    expect(test.outputs.snapshotBucket).toBe("bucket-name:Snapshots");
  });

  it("declares every function of the catalogue once, with its handler, size and the build @vaultops/build-definition defines", () => {
    expect([...test.functions.keys()].sort()).toEqual(functionCatalogue.map((f) => f.name).sort());
    for (const spec of functionCatalogue) {
      const args = test.functions.get(spec.name) as FunctionArgs;
      expect(args).toMatchObject({ handler: spec.handler, memory: spec.memory, timeout: spec.timeout });
      expect(args.runtime).toBe("nodejs22.x");
      // The very objects npm run build hands SST's builder.
      expect(args.nodejs).toBe(test.nodejsBuild);
      expect(args.hook).toBe(test.hook);
      expect(args.link).toBeUndefined();
    }
    expect(test.nodejsBuild).toEqual(nodejsBuild);
    expect(Object.keys(test.hook as object)).toEqual(Object.keys(hook));
  });

  // Routes (integration, invoke permission, authorizer), Cron jobs and the table's TTL: checked on the graph
  // SST's own components make, in test/infra/rehearsal.test.ts.

  it("frees secret names at once when a non-production stage is removed; production keeps the recovery window", () => {
    for (const secret of ofType(test, "aws.secretsmanager.Secret"))
      expect(secret.args.recoveryWindowInDays, secret.name).toBe(0);
    for (const secret of ofType(production, "aws.secretsmanager.Secret"))
      expect(secret.args.recoveryWindowInDays, secret.name).toBeUndefined();
    expect(
      ofType(test, "aws.secretsmanager.Secret")
        .map((r) => r.name)
        .sort(),
    ).toEqual(["ApiTokens", "VaultCredentials"]);
  });
});

describe("a stage is a unit (infra/stages.ts)", () => {
  it("takes everything from the stage's entry: the same graph from a clean shell and from a shell full of settings", async () => {
    const noisy = await load("test", {
      VAULT_ADDR: "https://elsewhere.example.com",
      VAULT_AUTH_METHOD: "token",
      CONFIG_BACKENDS: "*=aws",
      AWS_SECRETS_PREFIX: "shared",
      VAULTOPS_CREDENTIAL_ROTATION: "off",
      VAULTOPS_ALARM_SCOPES: "",
      PLANNED_CREATORS: "*",
    });
    const summary = (loaded: Loaded) =>
      JSON.stringify(
        loaded.resources.map((r) => [r.type, r.name, r.args]),
        (_key, value) => (typeof value === "function" ? "fn" : value),
      );
    expect(summary(noisy)).toBe(summary(test));
    expect(test.functions.get("config-get")?.environment).toMatchObject({
      STAGE: "test",
      VAULT_ADDR: "https://vault.test.example.com:8200",
      VAULT_AUTH_METHOD: "approle",
      CONFIG_BACKENDS: "*=vault",
      AWS_SECRETS_PREFIX: "vaultops/test",
      METRICS_NAMESPACE: "Vaultops/test",
      VAULT_CREDENTIALS_SECRET: "secret-arn:VaultCredentials",
      API_TOKENS_SECRET: "secret-arn:ApiTokens",
      TABLE_NAME: "table-name:State",
    });
    expect(test.functions.get("config-get")?.environment.VAULT_TOKEN).toBeUndefined();
  });

  it("fails a deploy of a stage without an entry, naming it; and one whose routing it cannot serve, naming the rule", async () => {
    await expect(load("nowhere")).rejects.toThrow(/no entry for stage "nowhere"/);
    await expect(load("broken")).rejects.toThrow(/stage "broken".*prod\/payments=gcp/);
  });

  it("names the stage's Secrets Manager configurations after it (vaultops/<stage>) unless its entry says otherwise", () => {
    const grant = (loaded: Loaded) =>
      statementsOf(loaded, "config-create").find((p) => p.actions.includes("secretsmanager:PutSecretValue"));
    expect(grant(routed)?.resources).toEqual(["arn:aws:secretsmanager:us-east-1:123456789012:secret:acme/cfg/*"]);
    expect(grant(production)?.resources).toEqual([
      "arn:aws:secretsmanager:us-east-1:123456789012:secret:vaultops/production/*",
    ]);
    expect(grant(test)).toBeUndefined();
  });

  it("declares the credential rotation only on a stage that turns it on, after its invoke permission", () => {
    expect(ofType(production, "aws.secretsmanager.SecretRotation")).toEqual([]);
    const rotation = ofType(test, "aws.secretsmanager.SecretRotation")[0];
    const permission = test.resources.find((r) => r.name === "CredentialRotationInvoke");
    expect(rotation?.opts.dependsOn).toEqual([permission?.self]);
    expect(rotation?.args).toMatchObject({
      secretId: "secret-id:VaultCredentials",
      rotationLambdaArn: "function-arn:CredentialRotation",
      rotationRules: { automaticallyAfterDays: 30 },
    });
    expect(permission?.args).toMatchObject({
      principal: "secretsmanager.amazonaws.com",
      sourceArn: "secret-arn:VaultCredentials",
    });
  });

  it("lets exactly this stage's alarms invoke the incident function: one permission per alarm, on its own ARN", () => {
    const alarms = ofType(test, "aws.cloudwatch.MetricAlarm");
    const permissions = test.resources.filter(
      (r) => r.type === "aws.lambda.Permission" && r.args.principal === "lambda.alarms.cloudwatch.amazonaws.com",
    );
    expect(permissions.map((p) => p.args.sourceArn).sort()).toEqual(alarms.map((a) => `alarm-arn:${a.name}`).sort());
    for (const p of permissions)
      expect(p.args).toMatchObject({ function: "function-name:IncidentResponse", sourceAccount: "123456789012" });
    for (const a of alarms) expect(String(a.args.name), a.name).toMatch(/^vaultops-test-/);
  });
});

describe("each function gets the rights of its kind (infra/rights.ts) on the stage's resources", () => {
  it("renders every grant of the function's kind as one statement, and nothing else", () => {
    for (const [name, args] of routed.functions) {
      const kind = rightsKindOf(name);
      const grants = rightsKinds[kind].rights;
      expect(
        args.permissions.map((p) => p.actions),
        name,
      ).toEqual(grants.map((g) => g.actions));
    }
  });

  it("limits every DynamoDB statement to the table and its key classes", () => {
    for (const [name, args] of routed.functions)
      for (const p of args.permissions.filter((s) => s.actions.some((a) => a.startsWith("dynamodb:")))) {
        expect(p.resources, name).toEqual(["table-arn:State"]);
        expect(p.conditions?.[0], name).toMatchObject({
          test: "ForAllValues:StringLike",
          variable: "dynamodb:LeadingKeys",
        });
      }
    expect(
      statementsOf(routed, "vault-health")
        .flatMap((p) => p.conditions?.[0]?.values ?? [])
        .sort(),
    ).toEqual(["counters#*", "counters#*", "health", "layout"]);
  });

  it("gives the authorizer the token secret and nothing else; the public static routes nothing", () => {
    expect(statementsOf(routed, "auth-authorizer")).toEqual([
      { actions: ["secretsmanager:GetSecretValue"], resources: ["secret-arn:ApiTokens"] },
    ]);
    expect(statementsOf(routed, "meta-openapi")).toEqual([]);
    expect(statementsOf(routed, "meta-fallback")).toEqual([]);
  });

  it("gives S3 and KMS to snapshot functions only, on the snapshot objects and the key", () => {
    for (const [name] of routed.functions) {
      const touches = actionsOf(routed, name).some((a) => a.startsWith("s3:") || a.startsWith("kms:"));
      expect(touches, name).toBe(rightsKindOf(name) === "snapshots");
    }
    const s3 = statementsOf(routed, "snapshots-create").find((p) => p.actions.includes("s3:PutObject"));
    expect(s3?.resources).toEqual(["bucket-arn:Snapshots/snapshots/*"]);
    const kms = statementsOf(routed, "snapshots-verify").find((p) => p.actions.includes("kms:Decrypt"));
    expect(kms?.resources).toEqual(["key-arn:SnapshotKey"]);
  });

  it("publishes events on the stage's bus and metrics in the stage's namespace only", () => {
    const events = statementsOf(routed, "config-create").find((p) => p.actions.includes("events:PutEvents"));
    expect(events?.resources).toEqual(["arn:aws:events:us-east-1:123456789012:event-bus/default"]);
    const metrics = statementsOf(routed, "jobs-health-check").find((p) =>
      p.actions.includes("cloudwatch:PutMetricData"),
    );
    expect(metrics).toEqual({
      actions: ["cloudwatch:PutMetricData"],
      resources: ["*"],
      conditions: [{ test: "StringEquals", variable: "cloudwatch:namespace", values: ["Vaultops/routed"] }],
    });
  });

  it("grants Secrets Manager configurations only on a stage that routes a scope there", () => {
    for (const [name] of test.functions)
      expect(
        actionsOf(test, name).some((a) => /^secretsmanager:(Put|Create|Delete|Restore)/.test(a)),
        name,
      ).toBe(name === "jobs-credential-rotation");
    expect(actionsOf(routed, "config-get")).toContain("secretsmanager:ListSecretVersionIds");
    expect(actionsOf(routed, "config-get")).not.toContain("secretsmanager:PutSecretValue");
  });
});

describe("alarms (seed 004)", () => {
  it("declares seed 004's alarms in the stage's namespace with the incident function as action", () => {
    const alarms = Object.fromEntries(
      ofType(test, "aws.cloudwatch.MetricAlarm").map((r) => [r.name, r.args]),
    ) as Record<string, Record<string, unknown>>;
    expect(Object.keys(alarms).sort()).toEqual(
      [
        "BackendAvailabilityLow",
        "BackendDown",
        "FailedAuthentication",
        "HighRetrievalLatency",
        "LowCacheHitRate",
        "OperationErrors",
        "SecretsManagerApiCalls",
        "UnauthorizedAccess",
        "UnplannedKeyCreation",
        "UnusualAccess-prod-payments",
        "UnusualAccessVolume",
      ].sort(),
    );
    for (const [name, args] of Object.entries(alarms)) {
      expect(args.alarmActions, name).toEqual(["function-arn:IncidentResponse"]);
      if (args.namespace && name !== "SecretsManagerApiCalls") expect(args.namespace, name).toBe("Vaultops/test");
    }
    const scoped = (
      (alarms["UnusualAccess-prod-payments"]?.metricQueries ?? []) as Array<{
        metric?: { namespace?: string; dimensions?: unknown };
      }>
    )[0];
    expect(scoped?.metric).toMatchObject({
      namespace: "Vaultops/test",
      dimensions: { Environment: "prod", Service: "payments" },
    });
    expect(ofType(routed, "aws.cloudwatch.MetricAlarm").some((r) => r.name === "AwsBackendDown")).toBe(true);
    expect(ofType(test, "aws.cloudwatch.MetricAlarm").some((r) => r.name === "AwsBackendDown")).toBe(false);
  });
});

describe("the README's CloudWatch alarm table", () => {
  const table = readmeTable<"alarm" | "threshold" | "period" | "datapoints" | "missing data" | "action">("alarm");
  const alarmsOf = (loaded: Loaded) => ofType(loaded, "aws.cloudwatch.MetricAlarm").map((r) => r.args);
  const rowOf = (name: string) =>
    table.find((row) =>
      row.alarm.includes("<")
        ? new RegExp(`^${row.alarm.replace(/<[^>]+>/g, "[^-]+")}$`).test(name)
        : row.alarm === name,
    );

  it("lists every alarm a stage declares, with its threshold, period, datapoints, missing data and action", () => {
    const seen = new Set<string>();
    for (const [stage, loaded] of [
      ["test", test],
      ["routed", routed],
    ] as const) {
      for (const alarm of alarmsOf(loaded)) {
        const name = String(alarm.name).replace(`vaultops-${stage}-`, "");
        const row = rowOf(name);
        expect(row, `README row for ${name}`).toBeDefined();
        if (!row) continue;
        seen.add(row.alarm);
        const [op, value] = row.threshold.split(" ");
        if (row.threshold === "band") expect(alarm.thresholdMetricId, name).toBe("band");
        else {
          expect(alarm.comparisonOperator, name).toBe(op === ">" ? "GreaterThanThreshold" : "LessThanThreshold");
          expect(alarm.threshold, name).toBe(Number(value));
        }
        const queries = (alarm.metricQueries ?? []) as Array<{ metric?: { period?: number } }>;
        expect(alarm.period ?? queries.find((q) => q.metric)?.metric?.period, name).toBe(Number(row.period));
        const evaluations = Number(alarm.evaluationPeriods);
        expect(`${alarm.datapointsToAlarm ?? evaluations} of ${evaluations}`, name).toBe(row.datapoints);
        expect(alarm.treatMissingData, name).toBe(row["missing data"]);
        expect(/vaultops:action=([a-z,-]+)/.exec(String(alarm.alarmDescription))?.[1], name).toBe(row.action);
      }
    }
    expect([...seen].sort()).toEqual(table.map((row) => row.alarm).sort());
  });

  it("counts the gateway's own 401s (no token, no function called) into FailedAuthentication", () => {
    const filter = ofType(test, "aws.cloudwatch.LogMetricFilter")[0]?.args;
    expect(filter).toMatchObject({
      logGroupName: "log-group:Api",
      pattern: '{ ($.status = 401) && ($.integrationStatus = "-") }',
      metricTransformation: { name: "FailedAuthentication", namespace: "Vaultops/test", value: "1" },
    });
  });
});
