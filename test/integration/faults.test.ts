import { randomBytes } from "node:crypto";
import type { VaultopsContext } from "@vaultops/core";
import { AwsClients, ensureTable } from "@vaultops/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHandler as create } from "../../functions/config/create";
import { createHandler as remove } from "../../functions/config/delete";
import { createHandler as get } from "../../functions/config/get";
import { createHandler as update } from "../../functions/config/update";
import { createHandler as health } from "../../functions/vault/health";
import { createHandler as metrics } from "../../functions/vault/metrics";
import { startDynamoServer } from "../../packages/dev/src/dynamodb-server";
import { startVaultServer, type VaultServer } from "../../packages/dev/src/vault-server";
import { contextFor, createEvent, httpEvent, invoke, testEnv, vaultApi } from "../support/harness";
import { startTcpProxy } from "../support/tcp-proxy";

/**
 * Vault slowed, cut, stopped mid-load and sealed; DynamoDB stopped. Requests fail fast with a clear
 * 503 inside their deadline, writes are all or nothing, nothing hangs, and service comes back by itself.
 */
let vault: VaultServer;
let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
let env: Record<string, string>;
let ctx: VaultopsContext;
const ns = { environment: "fault", service_name: `svc-${randomBytes(3).toString("hex")}` };
const DEADLINE_MS = 1_500;

const read = (key: string, context = ctx) =>
  invoke(get, context, httpEvent({ path: `/api/v1/config/${key}`, query: ns, pathParams: { key } }));
const write = (key: string, value: string, context = ctx) =>
  invoke(
    update,
    context,
    httpEvent({
      method: "PUT",
      path: `/api/v1/config/${key}`,
      query: ns,
      body: JSON.stringify({ value }),
      pathParams: { key },
    }),
  );
const timed = async <T>(fn: () => Promise<T>) => {
  const started = performance.now();
  const result = await fn();
  return { result, ms: performance.now() - started };
};
const vaultValue = async (key: string) =>
  (
    (await vaultApi(vault.addr, vault.rootToken, "GET", `secret/data/${ns.environment}/${ns.service_name}/${key}`)).json
      .data as { data: { value: string } }
  ).data.value;

beforeAll(async () => {
  vault = await startVaultServer();
  const url = new URL(vault.addr);
  proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port) });
  env = await testEnv({
    VAULT_ADDR: proxy.url,
    VAULT_TOKEN: vault.rootToken,
    VAULT_REQUEST_TIMEOUT_MS: "500",
    VAULT_DEADLINE_MS: String(DEADLINE_MS),
    VAULT_LOGIN_DEADLINE_MS: "1000",
    HEALTH_MEMO_MS: "0",
  });
  ctx = contextFor(env);
  for (const key of ["secret", "plain"]) {
    await invoke(create, ctx, createEvent({ key, value: "v1", ...ns, is_encrypted: key === "secret" }));
  }
});
afterAll(async () => {
  await proxy?.close();
  await vault?.stop();
});

describe("Vault slowed", () => {
  it("answers 503 inside the deadline instead of waiting, then recovers when Vault is fast again", async () => {
    proxy.delay(5_000);
    const { result, ms } = await timed(() => read("secret"));
    expect(result.status).toBe(503);
    expect(result.body.error).toBe("Cannot read configuration: Vault is not available");
    expect(ms).toBeLessThan(DEADLINE_MS + 1_000);
    const probe = await timed(() => invoke(health, ctx, httpEvent({ path: "/api/v1/vault/health", principal: null })));
    expect(probe.result.status).toBe(503);
    expect((probe.result.body.vault_health as { status: string }).status).toBe("unhealthy");
    expect(probe.ms).toBeLessThan(DEADLINE_MS + 1_000);
    proxy.pass();
    expect((await read("secret")).status).toBe(200);
  });
});

describe("the operation deadline", () => {
  it("ends every operation within VAULT_DEADLINE_MS + 100 ms, however many calls and retries it makes", async () => {
    proxy.delay(10_000);
    try {
      const operations = {
        "read (sensitive, no cache)": () => read("secret"),
        "update (read, then write)": () => write("plain", "slow"),
        create: () =>
          invoke(
            create,
            ctx,
            httpEvent({
              method: "POST",
              path: "/api/v1/config",
              body: JSON.stringify({ key: `slow-${randomBytes(2).toString("hex")}`, value: "x", ...ns }),
            }),
          ),
      };
      for (const [name, operation] of Object.entries(operations)) {
        const { result, ms } = await timed(operation);
        // A write sent into the silence may still land when the link recovers: 504 outcome_unknown says so.
        expect(result.status, name).toBe(name === "create" ? 504 : 503);
        expect(ms, `${name} took ${ms.toFixed(0)} ms`).toBeLessThanOrEqual(DEADLINE_MS + 100);
      }
    } finally {
      proxy.pass();
    }
  });
});

describe("Vault connections cut", () => {
  it("fails a write cleanly (nothing written) and serves again afterwards", async () => {
    proxy.cut();
    const res = await write("secret", "during-cut");
    expect(res.status).toBe(503);
    proxy.pass();
    expect(await vaultValue("secret")).toBe("v1");
    expect((await write("secret", "after-cut")).status).toBe(200);
    expect(await vaultValue("secret")).toBe("after-cut");
  });
});

describe("Vault stopped mid-load", () => {
  it("finishes every request (200 or 503), none hangs, and recovers when Vault returns", async () => {
    const load = Array.from({ length: 40 }, (_, i) =>
      (async () => {
        await new Promise((r) => setTimeout(r, i * 10));
        return read("secret", contextFor(env));
      })(),
    );
    setTimeout(() => proxy.cut(), 150);
    const results = await Promise.race([
      Promise.all(load),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error("requests hung")), 15_000)),
    ]);
    const statuses = new Set(results.map((r) => r.status));
    expect([...statuses].every((s) => s === 200 || s === 503)).toBe(true);
    expect(results.some((r) => r.status === 503)).toBe(true);
    // The public health answer says what failed without naming a path, key or address.
    const probe = await invoke(health, ctx, httpEvent({ path: "/api/v1/vault/health", principal: null }));
    const body = JSON.stringify(probe.body);
    expect((probe.body.vault_health as { last_error: string }).last_error).toMatch(
      /^Vault (is not reachable|did not answer in time)$/,
    );
    expect(body).not.toMatch(/secret|fault\/|127\.0\.0\.1|\/v1\//);
    proxy.pass();
    expect((await read("secret")).status).toBe(200);
  });
});

describe("Vault sealed", () => {
  it("refuses writes with 503 and leaves the value alone; works again after the unseal", async () => {
    await vaultApi(vault.addr, vault.rootToken, "PUT", "sys/seal");
    try {
      const res = await write("secret", "while-sealed");
      expect(res.status).toBe(503);
      expect(res.body.error).toBe("Cannot update configuration: Vault is sealed");
      const probe = await invoke(health, ctx, httpEvent({ path: "/api/v1/vault/health", principal: null }));
      expect((probe.body.vault_health as { status: string }).status).toBe("sealed");
      // Seal and leadership come from this scrape's sys/health, never from telemetry read before the seal.
      const scraped = await invoke(
        metrics,
        ctx,
        httpEvent({ path: "/api/v1/vault/metrics", query: { format: "prometheus" } }),
      );
      expect(scraped.text).toMatch(/^vaultops_vault_unsealed 0$/m);
      expect(scraped.text).toMatch(/^vaultops_key_backend_up\{backend="vault"\} 0$/m);
    } finally {
      await vaultApi(vault.addr, vault.rootToken, "PUT", "sys/unseal", { key: vault.unsealKey });
    }
    expect(await vaultValue("secret")).toBe("after-cut");
    expect((await write("secret", "after-unseal")).status).toBe(200);
  });

  it("refuses a delete while sealed and lets it through at once after the unseal (its claim released)", async () => {
    await invoke(create, ctx, createEvent({ key: "doomed", value: "v1", ...ns }));
    const del = () =>
      invoke(
        remove,
        ctx,
        httpEvent({ method: "DELETE", path: "/api/v1/config/doomed", query: ns, pathParams: { key: "doomed" } }),
      );
    // Sealed between the read of the current version and the delete: the delete's claim is taken, then released.
    const kv = ctx.backends.byName("vault").kv;
    const deleteVersions = kv.deleteVersions.bind(kv);
    kv.deleteVersions = async (path, versions) => {
      await vaultApi(vault.addr, vault.rootToken, "PUT", "sys/seal");
      return deleteVersions(path, versions);
    };
    try {
      expect((await del()).status).toBe(503);
    } finally {
      kv.deleteVersions = deleteVersions;
      await vaultApi(vault.addr, vault.rootToken, "PUT", "sys/unseal", { key: vault.unsealKey });
    }
    expect((await del()).status).toBe(200);
  });
});

describe("DynamoDB stopped", () => {
  it("fails fast with 503 before touching Vault, keeps /health answering for Vault, and recovers", async () => {
    const dynamo = await startDynamoServer();
    const table = `faults-${randomBytes(3).toString("hex")}`;
    await ensureTable(new AwsClients({ region: "us-east-1", dynamodb: dynamo.endpoint }), table);
    const local = contextFor({ ...env, DYNAMODB_ENDPOINT: dynamo.endpoint, TABLE_NAME: table });
    expect((await read("plain", local)).status).toBe(200);
    await dynamo.stop();

    const { result: readResult, ms } = await timed(() => read("plain", local));
    expect(readResult.status).toBe(503);
    expect(readResult.body.code).toBe("state_store_unavailable");
    expect(ms).toBeLessThan(5_000);
    const writeResult = await write("plain", "during-dynamo-outage", local);
    expect(writeResult.status).toBe(503);
    expect(await vaultValue("plain")).toBe("v1");
    const probe = await invoke(health, local, httpEvent({ path: "/api/v1/vault/health", principal: null }));
    expect(probe.status).toBe(200);
    expect((probe.body.vault_health as { warnings: string[] }).warnings.join(" ")).toMatch(/unavailable/);
  });
});
