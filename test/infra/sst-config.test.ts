import { existsSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { authorizerHandler, routeList } from "../../infra/routes";
import { scheduleList } from "../../infra/schedules";

/**
 * Loads sst.config.ts with SST's globals replaced by a recorder and checks the resource graph it
 * declares (the deploy itself needs AWS and Pulumi, which these machines do not have).
 */
interface Recorded {
  type: string;
  name: string;
  args: Record<string, unknown>;
}
const resources: Recorded[] = [];
const routes: Array<{ route: string; handler: Record<string, unknown>; args: Record<string, unknown> }> = [];
const authorizers: Array<Record<string, unknown>> = [];

function resource(type: string, outputs: Record<string, string> = {}) {
  return class {
    [key: string]: unknown;
    constructor(name: string, args: Record<string, unknown> = {}) {
      resources.push({ type, name, args });
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

let outputs: Record<string, unknown>;
let app: Record<string, unknown>;

beforeAll(async () => {
  const g = globalThis as Record<string, unknown>;
  g.$config = (config: unknown) => config;
  g.$app = { name: "vaultops", stage: "test" };
  g.$jsonStringify = (value: unknown) => JSON.stringify(value);
  process.env.VAULTOPS_ALARM_SCOPES = "prod/payments";
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
    lambda: { Permission: resource("aws.lambda.Permission") },
  };
  process.env.VAULT_ADDR = "https://vault.example.com:8200";
  // Imported by URL so that tsc does not follow it: SST's global types exist only after `sst install`.
  const configUrl = pathToFileURL(path.resolve("sst.config.ts")).href;
  const config = ((await import(configUrl)) as { default: unknown }).default as {
    app(input: { stage: string }): Record<string, unknown>;
    run(): Promise<Record<string, unknown>>;
  };
  app = config.app({ stage: "production" });
  outputs = await config.run();
});

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
    });
    const dashboard = resources.find((r) => r.type === "aws.cloudwatch.Dashboard");
    const titles = JSON.parse(dashboard?.args.dashboardBody as string).widgets.map(
      (w: { properties: { title: string } }) => w.properties.title,
    );
    expect(titles).toEqual(expect.arrayContaining(["Key operations", "Operation latency (p95)", "Cache hit rate"]));
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
