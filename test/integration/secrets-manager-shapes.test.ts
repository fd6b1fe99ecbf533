import { randomBytes } from "node:crypto";
import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { VaultopsContext } from "@vaultops/core";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { createHandler as copy } from "../../functions/config/copy";
import { createHandler as rollback } from "../../functions/config/rollback";
import { createHandler as update } from "../../functions/config/update";
import { contextFor, httpEvent, invoke, registerSecret, testEnv, vaultApi } from "../support/harness";

/**
 * A secret another client created in Secrets Manager as a plain string or as binary, replaced through
 * the API and rolled back: it comes back exactly as it was (the same string, the same bytes), not as
 * the JSON the API shows it in.
 */
const services = () => inject("services");
const prefix = `vaultops-shape-${randomBytes(3).toString("hex")}`;
const ns = { environment: "shape-aws", service_name: "svc" };
let ctx: VaultopsContext;
let sm: SecretsManagerClient;

beforeAll(async () => {
  ctx = contextFor(
    await testEnv({
      CONFIG_BACKENDS: "shape-aws/*=aws,*=vault",
      AWS_SECRETS_PREFIX: prefix,
      VAULT_DEADLINE_MS: "8000",
    }),
  );
  sm = new SecretsManagerClient({
    region: "us-east-1",
    endpoint: services().awsEndpoint,
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  });
});

describe("another client's string and binary secrets on Secrets Manager", () => {
  it.each([
    ["a plain string", { SecretString: "postgres://app:pa55@db:5432/app" }],
    ["binary", { SecretBinary: Uint8Array.from([0, 1, 2, 250, 255]) }],
  ] as const)("rolls back %s exactly as it was", async (_label, original) => {
    const key = `k-${randomBytes(3).toString("hex")}`;
    const id = `${prefix}/${ns.environment}/${ns.service_name}/${key}`;
    registerSecret("postgres://app:pa55@db:5432/app");
    await sm.send(new CreateSecretCommand({ Name: id, ...original }));
    const at = { path: `/api/v1/config/${key}`, query: ns, pathParams: { key } };
    const replaced = await invoke(
      update,
      ctx,
      httpEvent({ ...at, method: "PUT", query: { ...ns, replace: "true" }, body: JSON.stringify({ value: "ours" }) }),
    );
    expect(replaced.status, JSON.stringify(replaced.body)).toBe(200);
    const back = await invoke(
      rollback,
      ctx,
      httpEvent({ ...at, path: `${at.path}/rollback`, method: "POST", body: JSON.stringify({ version: 1 }) }),
    );
    expect(back.status, JSON.stringify(back.body)).toBe(200);
    const now = await sm.send(new GetSecretValueCommand({ SecretId: id }));
    if ("SecretString" in original) {
      expect(now.SecretString).toBe(original.SecretString);
    } else {
      expect(now.SecretString).toBeUndefined();
      expect([...(now.SecretBinary ?? [])]).toEqual([...original.SecretBinary]);
    }
  });
});

describe("a copy from Secrets Manager of names the API refuses", () => {
  it("reports each as invalid and writes none of them into Vault", async () => {
    const service = `names-${randomBytes(3).toString("hex")}`;
    const bad = ["a..b", "-lead", "@x", "a+b", "x=y", "copy", "k".repeat(200)];
    for (const name of [...bad, "fine"])
      await sm.send(
        new CreateSecretCommand({
          Name: `${prefix}/${ns.environment}/${service}/${name}`,
          SecretString: JSON.stringify({ value: "v", is_encrypted: false }),
        }),
      );
    const answer = await invoke(
      copy,
      ctx,
      httpEvent({
        method: "POST",
        path: "/api/v1/config/copy",
        body: JSON.stringify({
          environment: ns.environment,
          service_name: service,
          from: "aws",
          to: "vault",
          dry_run: false,
        }),
      }),
    );
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const items = answer.body.items as Array<{ key: string; action: string; outcome?: string }>;
    for (const name of bad)
      expect(
        items.find((i) => i.key === name),
        name,
      ).toMatchObject({ action: "invalid", outcome: "skipped" });
    expect(items.find((i) => i.key === "fine")).toMatchObject({ action: "create", outcome: "created" });
    expect((answer.body.summary as { invalid: number }).invalid).toBe(bad.length);
    const listed = await vaultApi(
      services().vaultAddr,
      services().vaultToken,
      "LIST",
      `secret/metadata/${ns.environment}/${service}`,
    );
    expect((listed.json.data as { keys: string[] }).keys).toEqual(["fine"]);
  });
});
