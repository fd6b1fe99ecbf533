import { existsSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { authorizerHandler, routeList, scheduleList } from "@vaultops/api";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { hook, nodejsBuild } from "../../infra/bundling";

/**
 * Loads sst.config.ts with SST's globals replaced by a recorder and checks the resource graph it
 * declares (the deploy itself needs AWS and Pulumi, which these machines do not have).
 */
interface Recorded {
  type: string;
  name: string;
  args: Record<string, unknown>;
  opts: Record<string, unknown>;
  self: unknown;
}
let resources: Recorded[] = [];
let routes: Array<{ route: string; handler: Record<string, unknown>; args: Record<string, unknown> }> = [];
let authorizers: Array<Record<string, unknown>> = [];

function resource(type: string, outputs: Record<string, string> = {}) {
  return class {
    [key: string]: unknown;
    constructor(name: string, args: Record<string, unknown> = {}, opts: Record<string, unknown> = {}) {
      resources.push({ type, name, args, opts, self: this });
      for (const [k, v] of Object.entries(outputs)) this[k] = `${v}:${name}`;
    }
  };
}

class Api extends resource("sst.aws.ApiGatewayV2", { url: "url" }) {
  route(route: string, handler: Record<string, unknown>, args: Record<string, unknown> = {}) {
    routes.push({ route, handler, args });
  }
  addAuthorizer(args: Record<string, unknown>) {
    authorizers.push(args);
    return { id: `authorizer:${String(args.name)}` };
  }
}

interface Loaded {
  app: Record<string, unknown>;
  outputs: Record<string, unknown>;
  resources: Recorded[];
  routes: typeof routes;
  authorizers: typeof authorizers;
  functionDefaults: { nodejs: unknown };
  /** infra/bundling.ts's definition, as the loaded config's module graph holds it. */
  nodejsBuild: unknown;
  hook: unknown;
}

/** Runs sst.config.ts for a stage, with SST's and Pulumi's globals replaced by the recorder. */
async function load(stage: string, env: Record<string, string> = {}): Promise<Loaded> {
  resources = [];
  routes = [];
  authorizers = [];
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
      MetricAlarm: resource("aws.cloudwatch.MetricAlarm"),
      Dashboard: resource("aws.cloudwatch.Dashboard", { dashboardName: "dashboard" }),
    },
    getRegionOutput: () => ({ name: "us-east-1" }),
    getCallerIdentityOutput: () => ({ accountId: "123456789012" }),
    lambda: { Permission: resource("aws.lambda.Permission") },
  };
  const saved = { ...process.env };
  Object.assign(
    process.env,
    { VAULT_ADDR: "https://vault.example.com:8200", VAULTOPS_ALARM_SCOPES: "prod/payments" },
    env,
  );
  try {
    // Imported by URL so that tsc does not follow it: SST's global types exist only after `sst install`.
    const configUrl = pathToFileURL(path.resolve("sst.config.ts")).href;
    const config = ((await import(configUrl)) as { default: unknown }).default as {
      app(input: { stage: string }): Record<string, unknown>;
      run(): Promise<Record<string, unknown>>;
    };
    const loadedApp = config.app({ stage });
    const loadedOutputs = await config.run();
    const functions = (await import(pathToFileURL(path.resolve("infra/functions.ts")).href)) as {
      functionDefaults: { nodejs: unknown };
    };
    const bundling = (await import(pathToFileURL(path.resolve("infra/bundling.ts")).href)) as {
      nodejsBuild: unknown;
      hook: unknown;
    };
    return {
      nodejsBuild: bundling.nodejsBuild,
      hook: bundling.hook,
      app: loadedApp,
      outputs: loadedOutputs,
      resources,
      routes,
      authorizers,
      functionDefaults: functions.functionDefaults,
    };
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

let outputs: Record<string, unknown>;
let app: Record<string, unknown>;
let production: Loaded;
let routedToAws: Loaded;

beforeAll(async () => {
  routedToAws = await load("test", { CONFIG_BACKENDS: "prod/payments=aws,*=vault", AWS_SECRETS_PREFIX: "acme/cfg" });
  // A non-production stage deployed a second time, after the credentials were stored.
  const test = await load("test", { VAULTOPS_CREDENTIAL_ROTATION: "on" });
  production = await load("production");
  ({ app } = production);
  ({ outputs } = test);
  resources = test.resources;
  routes = test.routes;
  authorizers = test.authorizers;
  functionDefaultsNodejs = test.functionDefaults.nodejs;
  loadedNodejsBuild = test.nodejsBuild;
  loadedHook = test.hook;
});
let loadedHook: unknown;
let functionDefaultsNodejs: unknown;
let loadedNodejsBuild: unknown;

const exportsHandler = async (spec: string) => {
  const file = spec.slice(0, spec.lastIndexOf("."));
  const name = spec.slice(spec.lastIndexOf(".") + 1);
  const full = path.resolve(`${file}.ts`);
  expect(existsSync(full), `${full} exists`).toBe(true);
  const mod = (await import(pathToFileURL(full).href)) as Record<string, unknown>;
  expect(typeof mod[name], `${spec} exports a function`).toBe("function");
};

describe("sst.config.ts", () => {
  it("names the app and retains production data", () => {
    expect(app).toMatchObject({ name: "vaultops", home: "aws", removal: "retain", protect: true });
    expect(outputs.api).toBe("url:Api");
    expect(outputs.snapshotBucket).toBe("bucket-name:Snapshots");
  });

  it("declares one route per entry of the route table, each on nodejs22.x with a handler that exists", async () => {
    expect(routes.map((r) => r.route).sort()).toEqual(
      [...routeList.map((r) => `${r.method} ${r.path}`), "$default"].sort(),
    );
    await exportsHandler(routes.find((r) => r.route === "$default")?.handler.handler as string);
    for (const route of routeList) {
      const declared = routes.find((r) => r.route === `${route.method} ${route.path}`);
      expect(declared?.handler.handler).toBe(route.handler);
      expect(declared?.handler.runtime).toBe("nodejs22.x");
      expect(declared?.handler.nodejs).toMatchObject({ format: "esm", splitting: true });
      if (route.scope === "public") expect(declared?.args.auth).toBeUndefined();
      else expect(declared?.args.auth).toEqual({ lambda: "authorizer:ApiTokens" });
      await exportsHandler(route.handler);
    }
  });

  it("declares the token authorizer with cached simple responses", async () => {
    expect(authorizers).toHaveLength(1);
    const lambda = authorizers[0]?.lambda as Record<string, unknown>;
    expect((lambda.function as Record<string, unknown>).handler).toBe(authorizerHandler);
    expect(lambda).toMatchObject({ response: "simple", identitySources: ["$request.header.Authorization"] });
    await exportsHandler(authorizerHandler);
  });

  it("declares one Cron job per entry of the schedule table", async () => {
    const crons = resources.filter((r) => r.type === "sst.aws.Cron");
    expect(crons).toHaveLength(scheduleList.length);
    for (const job of scheduleList) {
      const cron = crons.find((c) => (c.args.function as Record<string, unknown>).handler === job.handler);
      expect(cron?.args.schedule).toBe(`rate(${job.rate})`);
      expect((cron?.args.function as Record<string, unknown> | undefined)?.runtime).toBe("nodejs22.x");
      expect((cron?.args.function as Record<string, unknown> | undefined)?.timeout).toBe(
        "timeout" in job ? job.timeout : "60 seconds",
      );
      await exportsHandler(job.handler);
    }
  });

  it("declares the DynamoDB table with pk/sk and the expiresAt TTL attribute", () => {
    const tables = resources.filter((r) => r.type === "sst.aws.Dynamo");
    expect(tables).toHaveLength(1);
    expect(tables[0]?.args).toMatchObject({
      fields: { pk: "string", sk: "string" },
      primaryIndex: { hashKey: "pk", rangeKey: "sk" },
      ttl: "expiresAt",
    });
  });

  it("gives snapshot routes a longer timeout and every function the snapshot bucket and KMS key", () => {
    const restore = routes.find((r) => r.route === "POST /api/v1/vault/snapshots/{id}/restore");
    expect(restore?.handler.timeout).toBe("29 seconds");
    const env = restore?.handler.environment as Record<string, string>;
    expect(env).toMatchObject({ SNAPSHOT_BUCKET: "bucket-name:Snapshots", SNAPSHOT_KMS_KEY_ID: "key-arn:SnapshotKey" });
    const permissions = restore?.handler.permissions as Array<{ actions: string[]; resources: string[] }>;
    expect(permissions.find((p) => p.actions.includes("kms:Decrypt"))?.resources).toEqual(["key-arn:SnapshotKey"]);
  });

  it("hands every function infra/bundling.ts's nodejs props and postbuild hook, the ones npm run build gives SST's builder", () => {
    const functions = [
      ...routes.map((r) => r.handler),
      ...resources.filter((r) => r.type === "sst.aws.Function").map((r) => r.args),
      ...resources.filter((r) => r.type === "sst.aws.Cron").map((r) => r.args.function as Record<string, unknown>),
      ...authorizers.map((a) => (a.lambda as { function: Record<string, unknown> }).function),
    ];
    expect(functions.length).toBeGreaterThan(routeList.length + scheduleList.length);
    for (const fn of functions) {
      expect(fn.nodejs).toBe(loadedNodejsBuild);
      expect(fn.hook).toBe(loadedHook);
    }
    expect(functionDefaultsNodejs).toBe(loadedNodejsBuild);
    expect(loadedNodejsBuild).toEqual(nodejsBuild);
    expect(loadedHook).toBeDefined();
    expect(Object.keys(loadedHook as object)).toEqual(Object.keys(hook));
  });

  it("declares the credential rotation only on a deploy that asks for it, after its invoke permission", async () => {
    expect(production.resources.find((r) => r.type === "aws.secretsmanager.SecretRotation")).toBeUndefined();
    const rotation = resources.find((r) => r.type === "aws.secretsmanager.SecretRotation");
    const permission = resources.find(
      (r) => r.type === "aws.lambda.Permission" && r.name === "CredentialRotationInvoke",
    );
    expect(rotation?.opts.dependsOn).toEqual([permission?.self]);
  });

  it("frees secret names at once when a non-production stage is removed; production keeps the recovery window", () => {
    for (const secret of resources.filter((r) => r.type === "aws.secretsmanager.Secret"))
      expect(secret.args.recoveryWindowInDays, secret.name).toBe(0);
    for (const secret of production.resources.filter((r) => r.type === "aws.secretsmanager.Secret"))
      expect(secret.args.recoveryWindowInDays, secret.name).toBeUndefined();
  });

  it("rotates the Vault credentials secret every 30 days through the four-step function", async () => {
    const rotation = resources.find((r) => r.type === "aws.secretsmanager.SecretRotation");
    expect(rotation?.args).toMatchObject({
      secretId: "secret-id:VaultCredentials",
      rotationLambdaArn: "function-arn:CredentialRotation",
      rotationRules: { automaticallyAfterDays: 30 },
    });
    const fn = resources.find((r) => r.type === "sst.aws.Function" && r.name === "CredentialRotation");
    expect(fn?.args.runtime).toBe("nodejs22.x");
    await exportsHandler(fn?.args.handler as string);
    const permission = resources.find(
      (r) => r.type === "aws.lambda.Permission" && r.name === "CredentialRotationInvoke",
    );
    expect(permission?.args).toMatchObject({
      principal: "secretsmanager.amazonaws.com",
      sourceArn: "secret-arn:VaultCredentials",
    });
    const actions = ((fn?.args.permissions ?? []) as Array<{ actions: string[] }>).flatMap((p) => p.actions);
    expect(actions).toEqual(
      expect.arrayContaining(["secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"]),
    );
  });

  it("declares seed 004's alarms with their metric, threshold and the incident function as action", async () => {
    const alarms = Object.fromEntries(
      resources.filter((r) => r.type === "aws.cloudwatch.MetricAlarm").map((r) => [r.name, r.args]),
    ) as Record<string, Record<string, unknown>>;
    const expected: Record<string, Record<string, unknown>> = {
      HighRetrievalLatency: {
        metricName: "RetrievalLatency",
        extendedStatistic: "p95",
        threshold: 1000,
        comparisonOperator: "GreaterThanThreshold",
      },
      BackendDown: {
        metricName: "BackendUp",
        dimensions: { Backend: "vault" },
        threshold: 1,
        comparisonOperator: "LessThanThreshold",
        treatMissingData: "breaching",
      },
      LowCacheHitRate: { threshold: 0.8, comparisonOperator: "LessThanThreshold" },
      UnauthorizedAccess: { metricName: "Denied", threshold: 0, comparisonOperator: "GreaterThanThreshold" },
      OperationErrors: { metricName: "Failures", threshold: 5, period: 60 },
      UnusualAccessVolume: { comparisonOperator: "GreaterThanUpperThreshold", thresholdMetricId: "band" },
      SecretsManagerApiCalls: {
        namespace: "AWS/Usage",
        metricName: "CallCount",
        threshold: 100,
        period: 300,
        evaluationPeriods: 2,
      },
      "UnusualAccess-prod-payments": { comparisonOperator: "GreaterThanUpperThreshold" },
      FailedAuthentication: {
        name: "vaultops-test-failed-authentication",
        metricName: "FailedAuthentication",
        statistic: "Sum",
        period: 60,
        threshold: 3,
        comparisonOperator: "GreaterThanThreshold",
      },
      UnplannedKeyCreation: {
        name: "vaultops-test-unplanned-key-creation",
        metricName: "UnplannedKeyCreation",
        threshold: 0,
        comparisonOperator: "GreaterThanThreshold",
      },
      BackendAvailabilityLow: {
        name: "vaultops-test-backend-availability",
        metricName: "BackendUp",
        statistic: "Average",
        period: 300,
        threshold: 0.99,
        comparisonOperator: "LessThanThreshold",
      },
    };
    expect(Object.keys(alarms).sort()).toEqual(Object.keys(expected).sort());
    for (const [name, args] of Object.entries(expected)) {
      expect(alarms[name], name).toMatchObject(args);
      expect(alarms[name]?.alarmActions, name).toEqual(["function-arn:IncidentResponse"]);
      expect(String(alarms[name]?.alarmDescription), name).toMatch(/vaultops:action=(record|clear-cache)/);
    }
    const rate = ((alarms.LowCacheHitRate?.metricQueries ?? []) as Array<{ expression?: string }>).find(
      (q) => q.expression,
    );
    expect(rate?.expression).toBe("hits / (hits + misses)");
    expect(alarms["UnusualAccess-prod-payments"]?.alarmDescription).toMatch(/clear-cache,rotate/);
    const scoped = (
      (alarms["UnusualAccess-prod-payments"]?.metricQueries ?? []) as Array<{ metric?: { dimensions?: unknown } }>
    )[0];
    expect(scoped?.metric?.dimensions).toEqual({ Environment: "prod", Service: "payments" });
    const fn = resources.find((r) => r.type === "sst.aws.Function" && r.name === "IncidentResponse");
    await exportsHandler(fn?.args.handler as string);
    expect(
      resources.find((r) => r.type === "aws.lambda.Permission" && r.name === "IncidentResponseFromAlarms")?.args,
    ).toMatchObject({
      principal: "lambda.alarms.cloudwatch.amazonaws.com",
      sourceAccount: "123456789012",
      sourceArn: "arn:aws:cloudwatch:us-east-1:123456789012:alarm:vaultops-test-*",
    });
    for (const [name, args] of Object.entries(alarms)) expect(String(args.name), name).toMatch(/^vaultops-test-/);
    const dashboard = resources.find((r) => r.type === "aws.cloudwatch.Dashboard");
    const titles = JSON.parse(dashboard?.args.dashboardBody as string).widgets.map(
      (w: { properties: { title: string } }) => w.properties.title,
    );
    expect(titles).toEqual(expect.arrayContaining(["Key operations", "Operation latency (p95)", "Cache hit rate"]));
  });

  it("routes no scope to Secrets Manager by default: no permissions on configuration secrets, no alarm", () => {
    for (const { handler } of routes) {
      expect((handler.environment as Record<string, string>).CONFIG_BACKENDS).toBe("*=vault");
      const permissions = handler.permissions as Array<{ actions: string[] }>;
      expect(permissions.some((p) => p.actions.includes("secretsmanager:PutSecretValue"))).toBe(false);
    }
    expect(resources.some((r) => r.name === "AwsBackendDown")).toBe(false);
  });

  it("with a scope routed to Secrets Manager: the routing in every function, rights on the prefix only, its alarm", () => {
    for (const { handler } of routedToAws.routes) {
      const env = handler.environment as Record<string, string>;
      expect(env.CONFIG_BACKENDS).toBe("prod/payments=aws,*=vault");
      expect(env.AWS_SECRETS_PREFIX).toBe("acme/cfg");
      const permissions = handler.permissions as Array<{ actions: string[]; resources: string[] }>;
      const writes = permissions.find((p) => p.actions.includes("secretsmanager:PutSecretValue"));
      expect(writes?.resources).toEqual(["arn:aws:secretsmanager:us-east-1:123456789012:secret:acme/cfg/*"]);
      expect(writes?.actions).not.toContain("secretsmanager:ListSecrets");
      expect(permissions.find((p) => p.actions.includes("secretsmanager:ListSecrets"))?.resources).toEqual(["*"]);
    }
    const alarm = routedToAws.resources.find((r) => r.name === "AwsBackendDown")?.args;
    expect(alarm).toMatchObject({
      name: "vaultops-test-aws-backend-down",
      metricName: "BackendUp",
      dimensions: { Backend: "aws" },
      comparisonOperator: "LessThanThreshold",
      alarmActions: ["function-arn:IncidentResponse"],
    });
  });

  it("refuses a routing it cannot serve at deploy time, naming the rule", async () => {
    const recorded = { resources, routes, authorizers };
    await expect(load("test", { CONFIG_BACKENDS: "prod/payments=gcp" })).rejects.toThrow(/prod\/payments=gcp/);
    ({ resources, routes, authorizers } = recorded);
  });

  it("keeps Vault credentials in Secrets Manager and lets every function read them", () => {
    const secrets = resources.filter((r) => r.type === "aws.secretsmanager.Secret").map((r) => r.name);
    expect(secrets.sort()).toEqual(["ApiTokens", "VaultCredentials"]);
    for (const { handler } of routes) {
      const env = handler.environment as Record<string, string>;
      expect(env.VAULT_CREDENTIALS_SECRET).toBe("secret-arn:VaultCredentials");
      expect(env.VAULT_TOKEN).toBeUndefined();
      expect(env.TABLE_NAME).toBe("table-name:State");
      const permissions = handler.permissions as Array<{ actions: string[]; resources: string[] }>;
      expect(permissions.find((p) => p.actions.includes("secretsmanager:GetSecretValue"))?.resources).toContain(
        "secret-arn:VaultCredentials",
      );
      expect(handler.link).toHaveLength(2);
    }
  });
});
