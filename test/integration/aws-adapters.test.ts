import { randomBytes } from "node:crypto";
import { CloudWatchClient, GetMetricStatisticsCommand, ListMetricsCommand } from "@aws-sdk/client-cloudwatch";
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { signGetCallerIdentity, toAwsIamLogin } from "@vaultops/core";
import { describe, expect, inject, it } from "vitest";
import { createHandler as healthCheckJob } from "../../functions/jobs/health-check";
import { scheduledEvent } from "../support/events";
import { contextFor, testEnv, vaultApi } from "../support/harness";

const services = () => inject("services");
const aws = { region: "us-east-1", credentials: { accessKeyId: "testing", secretAccessKey: "testing" } };
const secrets = () => new SecretsManagerClient({ ...aws, endpoint: services().awsEndpoint });

async function createSecret(value: unknown): Promise<string> {
  const name = `vaultops-test/${randomBytes(4).toString("hex")}`;
  const out = await secrets().send(new CreateSecretCommand({ Name: name, SecretString: JSON.stringify(value) }));
  return out.ARN as string;
}

async function childToken(ttl = "600s"): Promise<string> {
  const { vaultAddr, vaultToken } = services();
  const created = await vaultApi(vaultAddr, vaultToken, "POST", "auth/token/create", { ttl, renewable: true });
  return (created.json.auth as { client_token: string }).client_token;
}

describe("Vault credentials from Secrets Manager (moto)", () => {
  it("logs in with a token read from the secret, never from the environment", async () => {
    const token = await childToken();
    const arn = await createSecret({ token });
    const ctx = contextFor(await testEnv({ VAULT_CREDENTIALS_SECRET: arn, VAULT_TOKEN: "" }));
    const info = await ctx.gateway.lookupSelf();
    expect(info.renewable).toBe(true);
    expect(ctx.gateway.currentSession?.token).toBe(token);
  });

  it("logs in with AppRole credentials read from the secret", async () => {
    const { vaultAddr, vaultToken } = services();
    const mount = `approle-${randomBytes(3).toString("hex")}`;
    await vaultApi(vaultAddr, vaultToken, "POST", `sys/auth/${mount}`, { type: "approle" });
    await vaultApi(vaultAddr, vaultToken, "POST", `auth/${mount}/role/plane`, {
      token_ttl: "300s",
      token_policies: ["default"],
    });
    const roleId = (
      (await vaultApi(vaultAddr, vaultToken, "GET", `auth/${mount}/role/plane/role-id`)).json.data as {
        role_id: string;
      }
    ).role_id;
    const secretId = (
      (await vaultApi(vaultAddr, vaultToken, "POST", `auth/${mount}/role/plane/secret-id`)).json.data as {
        secret_id: string;
      }
    ).secret_id;
    const arn = await createSecret({ role_id: roleId, secret_id: secretId });
    const ctx = contextFor(
      await testEnv({
        VAULT_AUTH_METHOD: "approle",
        VAULT_APPROLE_MOUNT: mount,
        VAULT_CREDENTIALS_SECRET: arn,
        VAULT_TOKEN: "",
      }),
    );
    const info = await ctx.gateway.lookupSelf();
    expect(ctx.gateway.currentSession?.method).toBe("approle");
    expect(info.ttlSeconds).toBeGreaterThan(0);
    expect(info.ttlSeconds).toBeLessThanOrEqual(300);
  });

  it("after the token is revoked and replaced in the secret, re-authenticates once for many concurrent 403s", async () => {
    const first = await childToken();
    const arn = await createSecret({ token: first });
    const ctx = contextFor(await testEnv({ VAULT_CREDENTIALS_SECRET: arn, VAULT_TOKEN: "" }));
    await ctx.gateway.lookupSelf();
    await ctx.recorder.flush();
    const { vaultAddr, vaultToken } = services();
    await vaultApi(vaultAddr, vaultToken, "POST", "auth/token/revoke", { token: first });
    const second = await childToken();
    await secrets().send(new PutSecretValueCommand({ SecretId: arn, SecretString: JSON.stringify({ token: second }) }));

    const results = await Promise.all(Array.from({ length: 10 }, () => ctx.gateway.lookupSelf()));
    expect(results.every((r) => r.renewable)).toBe(true);
    expect(ctx.gateway.currentSession?.token).toBe(second);
    // One forced login (lookup-self of the new token), not ten.
    expect(ctx.recorder.unflushed().values.get("n|login|ok")).toBe(1);
  });
});

describe("AWS IAM auth material", () => {
  it("signs an sts:GetCallerIdentity request that moto's STS accepts", async () => {
    const endpoint = services().awsEndpoint;
    const signed = await signGetCallerIdentity({ region: "us-east-1", endpoint, credentials: aws.credentials });
    expect(signed.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=testing\/\d{8}\/us-east-1\/sts\/aws4_request/,
    );
    const res = await fetch(signed.url, { method: "POST", headers: signed.headers, body: signed.body });
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(text).toContain("<GetCallerIdentityResult>");
    const login = toAwsIamLogin("vaultops", signed);
    expect(Buffer.from(login.iam_request_body, "base64").toString()).toBe(
      "Action=GetCallerIdentity&Version=2011-06-15",
    );
    expect(JSON.parse(Buffer.from(login.iam_request_headers, "base64").toString())).toHaveProperty("authorization");
  });
});

describe("scheduled health check", () => {
  it("publishes BackendUp, HealthCheckDuration and TokenTTL to CloudWatch (read back from moto)", async () => {
    const namespace = `VaultopsTest${randomBytes(3).toString("hex")}`;
    const token = await childToken("7200s");
    const env = await testEnv({ CLOUDWATCH_ENABLED: "true", METRICS_NAMESPACE: namespace, VAULT_TOKEN: token });
    const ctx = contextFor(env);
    const summary = await healthCheckJob(() => ctx)(scheduledEvent() as never);
    expect(summary).toMatchObject({ status: "healthy", token_renewed: false });
    const cw = new CloudWatchClient({ ...aws, endpoint: services().awsEndpoint });
    const listed = await cw.send(new ListMetricsCommand({ Namespace: namespace }));
    expect((listed.Metrics ?? []).map((m) => m.MetricName).sort()).toEqual([
      "BackendUp",
      "HealthCheckDuration",
      "TokenTTL",
    ]);
    const stats = await cw.send(
      new GetMetricStatisticsCommand({
        Namespace: namespace,
        MetricName: "BackendUp",
        Dimensions: [{ Name: "Backend", Value: "vault" }],
        StartTime: new Date(Date.now() - 600_000),
        EndTime: new Date(Date.now() + 60_000),
        Period: 60,
        Statistics: ["Maximum"],
      }),
    );
    expect(stats.Datapoints?.[0]?.Maximum).toBe(1);
    const status = await ctx.monitor.status();
    expect((status.monitoring as Record<string, unknown>).last_health_job_age_seconds).toBe(0);
  });

  it("renews a renewable token that is under the threshold", async () => {
    const token = await childToken("1200s");
    const ctx = contextFor(await testEnv({ VAULT_TOKEN: token, TOKEN_RENEW_THRESHOLD_SECONDS: "3600" }));
    const summary = await healthCheckJob(() => ctx)(scheduledEvent() as never);
    expect(summary.token_renewed).toBe(true);
  });
});
