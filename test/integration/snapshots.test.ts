import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import type { VaultopsContext } from "@vaultops/core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createHandler as createSnapshot } from "../../functions/snapshots/create";
import { createHandler as getSnapshot } from "../../functions/snapshots/get";
import { createHandler as listSnapshots } from "../../functions/snapshots/list";
import { createHandler as restoreSnapshot } from "../../functions/snapshots/restore";
import { createHandler as verifySnapshot } from "../../functions/snapshots/verify";
import { startVaultServer, type VaultServer } from "../../packages/dev/src/vault-server";
import { contextFor, httpEvent, invoke, testEnv, vaultApi } from "../support/harness";

/** Snapshots of a populated Vault, restored into an emptied one; tampering; retention; S3 and KMS on moto. */
let source: VaultServer;
let target: VaultServer;
let dir: string;
let env: Record<string, string>;
let ctx: VaultopsContext;
const actor = { name: "test" };
const SECRETS = 1_000;

async function readTree(vault: VaultServer, ctxFor: VaultopsContext): Promise<Record<string, unknown>> {
  const paths = await ctxFor.snapshots.listPaths("");
  const out: Record<string, unknown> = {};
  for (const p of paths)
    out[p] = (
      (await vaultApi(vault.addr, vault.rootToken, "GET", `secret/data/${p}`)).json.data as { data: unknown }
    ).data;
  return out;
}

beforeAll(async () => {
  [source, target] = await Promise.all([startVaultServer(), startVaultServer()]);
  dir = mkdtempSync(path.join(tmpdir(), "vaultops-snap-"));
  env = await testEnv({
    VAULT_ADDR: source.addr,
    VAULT_TOKEN: source.rootToken,
    SNAPSHOT_DIR: path.join(dir, "snapshots"),
    SNAPSHOT_KEY_FILE: path.join(dir, "snapshot.key"),
  });
  ctx = contextFor(env);
  const writes = Array.from({ length: SECRETS }, (_, i) => `app${i % 10}/service${i % 7}/key${i}`);
  for (let i = 0; i < writes.length; i += 50) {
    await Promise.all(
      writes.slice(i, i + 50).map((p, j) =>
        ctx.gateway.request("kv_write", {
          method: "POST",
          path: `/secret/data/${p}`,
          json: { data: { value: `v-${i + j}`, n: i + j } },
        }),
      ),
    );
  }
  // A second version for some, to see that history is carried by full_versions.
  await ctx.gateway.request("kv_write", {
    method: "POST",
    path: "/secret/data/app0/service0/key0",
    json: { data: { value: "v-0-b" } },
  });
}, 120_000);

afterAll(async () => {
  await Promise.all([source?.stop(), target?.stop()]);
});

describe("snapshot of 1,000 secrets", () => {
  it("creates, verifies and restores into an emptied Vault with identical data", async () => {
    const t0 = performance.now();
    const res = await invoke(
      createSnapshot,
      ctx,
      httpEvent({ method: "POST", path: "/api/v1/vault/snapshots", body: JSON.stringify({ type: "full_versions" }) }),
    );
    const createMs = performance.now() - t0;
    expect(res.status).toBe(201);
    const manifest = res.body as {
      id: string;
      path_count: number;
      version_count: number;
      size_bytes: number;
      sha256: string;
      status: string;
    };
    expect(manifest).toMatchObject({ path_count: SECRETS, version_count: SECRETS + 1, status: "completed" });
    expect(manifest.sha256).toMatch(/^[0-9a-f]{64}$/);
    // Encrypted at rest: no value is readable in the file.
    expect(readFileSync(path.join(dir, "snapshots", `${manifest.id}.vsnap`)).toString("latin1")).not.toContain("v-999");

    const verified = await invoke(verifySnapshot, ctx, {
      ...httpEvent({ method: "POST", path: "/x" }),
      pathParameters: { id: manifest.id },
    } as never);
    expect(verified.body).toMatchObject({ valid: true, path_count: SECRETS });

    const restoreCtx = contextFor({ ...env, VAULT_ADDR: target.addr, VAULT_TOKEN: target.rootToken });
    const plan = await invoke(restoreSnapshot, restoreCtx, {
      ...httpEvent({ method: "POST", path: "/x" }),
      pathParameters: { id: manifest.id },
    } as never);
    expect(plan.body).toMatchObject({ dry_run: true, summary: { create: SECRETS, change: 0, unchanged: 0 } });
    expect(await restoreCtx.snapshots.listPaths("")).toHaveLength(0);

    const t1 = performance.now();
    const done = await invoke(restoreSnapshot, restoreCtx, {
      ...httpEvent({ method: "POST", path: "/x", query: { dry_run: "false", plan_id: String(plan.body.plan_id) } }),
      pathParameters: { id: manifest.id },
    } as never);
    const restoreMs = performance.now() - t1;
    expect(done.body).toMatchObject({ dry_run: false, summary: { create: SECRETS, conflicts: 0, failed: 0 } });
    expect(await readTree(target, restoreCtx)).toEqual(await readTree(source, ctx));
    // History came along for the secret with two versions.
    const meta = await vaultApi(target.addr, target.rootToken, "GET", "secret/metadata/app0/service0/key0");
    expect((meta.json.data as { current_version: number }).current_version).toBe(2);
    process.stderr.write(
      `[snapshot] ${SECRETS} secrets: create ${createMs.toFixed(0)} ms, ${manifest.size_bytes} bytes; restore ${restoreMs.toFixed(0)} ms\n`,
    );
  });

  it("plans create / change / unchanged, then restores the changed and the deleted paths", async () => {
    const manifest = await ctx.snapshots.create({ type: "full", prefix: "app1" }, actor);
    await ctx.gateway.request("kv_write", {
      method: "POST",
      path: "/secret/data/app1/service1/key1",
      json: { data: { value: "changed" } },
    });
    await ctx.gateway.request("kv_delete", { method: "DELETE", path: "/secret/metadata/app1/service2/key51" });
    const plan = await ctx.snapshots.restore(manifest.id, { dryRun: true }, actor);
    expect(plan.summary).toMatchObject({ create: 1, change: 1, unchanged: manifest.path_count - 2 });
    expect(plan.items.find((i) => i.path === "app1/service1/key1")?.action).toBe("change");
    const restored = await ctx.snapshots.restore(manifest.id, { dryRun: false, planId: plan.plan_id }, actor);
    expect(restored.summary).toMatchObject({ conflicts: 0, failed: 0 });
    expect(
      (
        (await vaultApi(source.addr, source.rootToken, "GET", "secret/data/app1/service1/key1")).json.data as {
          data: { value: string };
        }
      ).data.value,
    ).toBe("v-1");
  });

  it("restores what the plan showed: a path written after the dry run is refused (409), not overwritten", async () => {
    const manifest = await ctx.snapshots.create({ type: "full", prefix: "app4" }, actor);
    const write = (key: string, value: string) =>
      ctx.gateway.request("kv_write", { method: "POST", path: `/secret/data/app4/${key}`, json: { data: { value } } });
    await write("service0/key14", "drifted");
    await write("service0/key84", "drifted");
    const plan = await ctx.snapshots.restore(manifest.id, { dryRun: true }, actor);
    expect(plan.plan_id).toMatch(/^plan-/);
    expect(plan.summary.change).toBe(2);
    // Another client writes one of the planned paths after the operator saw the plan.
    await write("service0/key84", "written-after-the-plan");
    const done = await ctx.snapshots.restore(manifest.id, { dryRun: false, planId: plan.plan_id }, actor);
    expect(done.summary).toMatchObject({ conflicts: 1, failed: 0 });
    expect(done.items.find((i) => i.path === "app4/service0/key84")).toMatchObject({
      outcome: "conflict",
      status: 409,
    });
    expect(done.items.find((i) => i.path === "app4/service0/key14")?.outcome).toBe("changed");
    const value = async (key: string) =>
      (
        (await vaultApi(source.addr, source.rootToken, "GET", `secret/data/app4/${key}`)).json.data as {
          data: { value: string };
        }
      ).data.value;
    expect(await value("service0/key84")).toBe("written-after-the-plan");
    expect(await value("service0/key14")).toBe("v-14");
    // force=true with the same plan restores the refused path too.
    const forced = await ctx.snapshots.restore(
      manifest.id,
      { dryRun: false, planId: plan.plan_id, force: true },
      actor,
    );
    expect(forced.summary).toMatchObject({ conflicts: 0, failed: 0 });
    expect(await value("service0/key84")).toBe("v-84");
  });

  it("fails verification of a tampered snapshot with a clear error", async () => {
    const manifest = await ctx.snapshots.create({ type: "full", prefix: "app2" }, actor);
    const file = path.join(dir, "snapshots", `${manifest.id}.vsnap`);
    const bytes = readFileSync(file);
    bytes[bytes.length - 10] = (bytes[bytes.length - 10] ?? 0) ^ 0xff;
    writeFileSync(file, bytes);
    const res = await invoke(verifySnapshot, ctx, {
      ...httpEvent({ method: "POST", path: "/x" }),
      pathParameters: { id: manifest.id },
    } as never);
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: "snapshot_invalid" });
    expect(String(res.body.error)).toMatch(/hash does not match/);
    const restore = await invoke(restoreSnapshot, ctx, {
      ...httpEvent({ method: "POST", path: "/x" }),
      pathParameters: { id: manifest.id },
    } as never);
    expect(restore.status).toBe(422);
  });

  it("deletes only expired snapshots on retention cleanup", async () => {
    let now = Date.now();
    const clocked = contextFor(env, { clock: { now: () => now } });
    const shortLived = await clocked.snapshots.create({ type: "full", prefix: "app3", retentionDays: 1 }, actor);
    const longLived = await clocked.snapshots.create({ type: "full", prefix: "app3", retentionDays: 30 }, actor);
    now += 2 * 86_400_000;
    const result = await clocked.snapshots.cleanup(actor);
    expect(result.deleted).toContain(shortLived.id);
    expect(result.deleted).not.toContain(longLived.id);
    expect(
      (await invoke(getSnapshot, ctx, { ...httpEvent({ path: "/x" }), pathParameters: { id: shortLived.id } } as never))
        .status,
    ).toBe(404);
    expect(
      (await invoke(getSnapshot, ctx, { ...httpEvent({ path: "/x" }), pathParameters: { id: longLived.id } } as never))
        .status,
    ).toBe(200);
  });

  it("lists with filters and refuses bad ids", async () => {
    const list = await invoke(
      listSnapshots,
      ctx,
      httpEvent({ path: "/api/v1/vault/snapshots", query: { type: "full_versions" } }),
    );
    expect((list.body.items as Array<{ type: string }>).every((m) => m.type === "full_versions")).toBe(true);
    expect(list.body.total).toBeGreaterThanOrEqual(1);
    const bad = await invoke(getSnapshot, ctx, {
      ...httpEvent({ path: "/x" }),
      pathParameters: { id: "../etc/passwd" },
    } as never);
    expect(bad.status).toBe(400);
  });
});

describe("a snapshot that cannot be stored", () => {
  it("answers 503 and is listed as failed with its reason", async () => {
    const blocked = path.join(dir, "not-a-directory");
    writeFileSync(blocked, "a file where the snapshot directory should be");
    const failing = contextFor({ ...env, SNAPSHOT_DIR: path.join(blocked, "snapshots") });
    const res = await invoke(
      createSnapshot,
      failing,
      httpEvent({ method: "POST", path: "/api/v1/vault/snapshots", body: JSON.stringify({ prefix: "app5" }) }),
    );
    expect(res.status).toBe(503);
    expect(res.body.code).toBe("snapshot_storage_unavailable");
    const failed = await invoke(
      listSnapshots,
      failing,
      httpEvent({ path: "/api/v1/vault/snapshots", query: { status: "failed" } }),
    );
    const items = failed.body.items as Array<{ status: string; error: string; prefix: string }>;
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ status: "failed", prefix: "app5", error: "Snapshot storage is not available" });
  });
});

describe("snapshots in S3 with a KMS data key (moto)", () => {
  it("stores the blob in the bucket and verifies it", async () => {
    const endpoint = inject("services").awsEndpoint;
    const aws = { region: "us-east-1", endpoint, credentials: { accessKeyId: "testing", secretAccessKey: "testing" } };
    const bucket = `vaultops-snap-${randomBytes(3).toString("hex")}`;
    await new S3Client({ ...aws, forcePathStyle: true }).send(new CreateBucketCommand({ Bucket: bucket }));
    const key = await new KMSClient(aws).send(new CreateKeyCommand({ Description: "vaultops test" }));
    const s3ctx = contextFor({
      ...env,
      SNAPSHOT_BUCKET: bucket,
      SNAPSHOT_KMS_KEY_ID: key.KeyMetadata?.KeyId as string,
    });
    const manifest = await s3ctx.snapshots.create({ type: "full", prefix: "app4" }, actor);
    expect(manifest).toMatchObject({
      storage: "s3",
      location: `s3://${bucket}/snapshots/${manifest.id}.vsnap`,
      key_id: key.KeyMetadata?.KeyId,
    });
    expect(await s3ctx.snapshots.verify(manifest.id)).toMatchObject({ valid: true, path_count: manifest.path_count });
  });
});
