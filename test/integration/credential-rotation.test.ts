import { randomBytes, randomUUID } from "node:crypto";
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { createHandler as credentialRotation } from "../../functions/jobs/credential-rotation";
import { contextFor, registerSecret, testEnv, vaultApi } from "../support/harness";

/** Secrets Manager's four-step rotation of the plane's AppRole secret_id, step by step, on real Vault and moto. */
const services = () => inject("services");
let sm: SecretsManagerClient;
let secretArn: string;
let mount: string;
let env: Record<string, string>;
let original: { role_id: string; secret_id: string; role_name: string };

const login = async (roleId: string, secretId: string) => {
  const { vaultAddr } = services();
  const res = await fetch(`${vaultAddr}/v1/auth/${mount}/login`, {
    method: "POST",
    body: JSON.stringify({ role_id: roleId, secret_id: secretId }),
  });
  return res.status;
};
const stageValue = async (stage: string) =>
  JSON.parse(
    (await sm.send(new GetSecretValueCommand({ SecretId: secretArn, VersionStage: stage }))).SecretString ?? "{}",
  );

beforeAll(async () => {
  const { vaultAddr, vaultToken, awsEndpoint } = services();
  sm = new SecretsManagerClient({
    region: "us-east-1",
    endpoint: awsEndpoint,
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  });
  mount = `approle-rot-${randomBytes(3).toString("hex")}`;
  await vaultApi(vaultAddr, vaultToken, "POST", `sys/auth/${mount}`, { type: "approle" });
  await vaultApi(vaultAddr, vaultToken, "POST", "sys/policies/acl/vaultops-plane", {
    policy: `path "auth/${mount}/role/plane/secret-id" { capabilities = ["update"] }\npath "secret/*" { capabilities = ["read"] }`,
  });
  await vaultApi(vaultAddr, vaultToken, "POST", `auth/${mount}/role/plane`, {
    token_policies: ["vaultops-plane"],
    token_ttl: "600s",
  });
  const roleId = (
    (await vaultApi(vaultAddr, vaultToken, "GET", `auth/${mount}/role/plane/role-id`)).json.data as { role_id: string }
  ).role_id;
  const secretId = (
    (await vaultApi(vaultAddr, vaultToken, "POST", `auth/${mount}/role/plane/secret-id`)).json.data as {
      secret_id: string;
    }
  ).secret_id;
  original = { role_id: roleId, secret_id: secretId, role_name: "plane" };
  secretArn = (
    await sm.send(
      new CreateSecretCommand({
        Name: `vaultops-cred-${randomBytes(3).toString("hex")}`,
        SecretString: JSON.stringify(original),
      }),
    )
  ).ARN as string;
  env = await testEnv({
    VAULT_AUTH_METHOD: "approle",
    VAULT_APPROLE_MOUNT: mount,
    VAULT_CREDENTIALS_SECRET: secretArn,
    VAULT_TOKEN: "",
  });
});

describe("rotation of the plane's AppRole secret_id", () => {
  it("runs createSecret, setSecret, testSecret, finishSecret; the old credential stays valid as AWSPREVIOUS", async () => {
    const ctx = contextFor(env);
    await ctx.gateway.lookupSelf();
    const rotate = credentialRotation(() => ctx);
    const token = randomUUID();
    const base = { SecretId: secretArn, ClientRequestToken: token };

    await rotate({ ...base, Step: "createSecret" });
    const pending = await stageValue("AWSPENDING");
    registerSecret(pending.secret_id);
    registerSecret(original.secret_id);
    expect(pending.role_id).toBe(original.role_id);
    expect(pending.secret_id).not.toBe(original.secret_id);
    // Idempotent: a retried createSecret keeps the same pending secret_id.
    await rotate({ ...base, Step: "createSecret" });
    expect((await stageValue("AWSPENDING")).secret_id).toBe(pending.secret_id);

    await rotate({ ...base, Step: "setSecret" });
    await rotate({ ...base, Step: "testSecret" });
    expect((await stageValue("AWSCURRENT")).secret_id).toBe(original.secret_id);

    await rotate({ ...base, Step: "finishSecret" });
    expect((await stageValue("AWSCURRENT")).secret_id).toBe(pending.secret_id);
    expect((await stageValue("AWSPREVIOUS")).secret_id).toBe(original.secret_id);
    const described = await sm.send(new DescribeSecretCommand({ SecretId: secretArn }));
    expect(described.VersionIdsToStages?.[token]).toContain("AWSCURRENT");

    // Both log in: no function loses access mid-rotation.
    expect(await login(original.role_id, original.secret_id)).toBe(200);
    expect(await login(pending.role_id, pending.secret_id)).toBe(200);
    // A fresh container reads the new credential and works.
    const fresh = contextFor(env);
    expect((await fresh.gateway.lookupSelf()).policies).toContain("vaultops-plane");
  });

  it("fails testSecret when the pending credential cannot log in, leaving AWSCURRENT alone", async () => {
    const ctx = contextFor(env);
    const token = randomUUID();
    const current = await stageValue("AWSCURRENT");
    await sm.send(
      new PutSecretValueCommand({
        SecretId: secretArn,
        ClientRequestToken: token,
        SecretString: JSON.stringify({ ...current, secret_id: "not-a-valid-secret-id" }),
        VersionStages: ["AWSPENDING"],
      }),
    );
    await expect(
      credentialRotation(() => ctx)({ SecretId: secretArn, ClientRequestToken: token, Step: "testSecret" }),
    ).rejects.toThrow(/does not log in/);
    expect((await stageValue("AWSCURRENT")).secret_id).toBe(current.secret_id);
  });

  it("refuses an event that is not a rotation step", async () => {
    const ctx = contextFor(env);
    await expect(
      credentialRotation(() => ctx)({ SecretId: secretArn, ClientRequestToken: randomUUID(), Step: "dropTables" }),
    ).rejects.toThrow(/Not a Secrets Manager rotation event/);
  });
});
