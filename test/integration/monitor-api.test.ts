import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHandler as cacheClear } from "../../functions/vault/cache-clear";
import { createHandler as health } from "../../functions/vault/health";
import { createHandler as metrics } from "../../functions/vault/metrics";
import { createHandler as status } from "../../functions/vault/status";
import { createHandler as tokenRenew } from "../../functions/vault/token-renew";
import { startVaultServer, type VaultServer } from "../../packages/dev/src/vault-server";
import { contextFor, httpEvent, invoke, testEnv, vaultApi } from "../support/harness";

/** The monitoring API of seed 000 through the real handlers, against a Vault of its own (it gets sealed). */
let vault: VaultServer;
beforeAll(async () => {
  vault = await startVaultServer();
});
afterAll(async () => {
  await vault?.stop();
});

const envFor = (overrides: Record<string, string> = {}) =>
  testEnv({ VAULT_ADDR: vault.addr, VAULT_TOKEN: vault.rootToken, HEALTH_MEMO_MS: "0", ...overrides });

describe("GET /api/v1/vault/health", () => {
  it("answers 200 healthy with the seed's fields, and 503 sealed after a seal", async () => {
    const ctx = contextFor(await envFor());
    const ok = await invoke(health, ctx, httpEvent({ path: "/api/v1/vault/health", principal: null }));
    expect(ok.status).toBe(200);
    const body = ok.body.vault_health as Record<string, unknown>;
    expect(body.status).toBe("healthy");
    for (const field of [
      "last_check",
      "total_requests",
      "success_rate",
      "avg_response_time",
      "token_ttl_seconds",
      "token_renewable",
      "last_error",
      "last_error_time",
    ]) {
      expect(body).toHaveProperty(field);
    }
    expect(body.success_rate).toMatch(/^\d+\.\d\d%$/);
    expect(body.avg_response_time).toMatch(/^\d+(ms|s)$/);
    expect(typeof ok.body.timestamp).toBe("number");

    await vaultApi(vault.addr, vault.rootToken, "PUT", "sys/seal");
    try {
      const sealed = await invoke(health, ctx, httpEvent({ path: "/api/v1/vault/health", principal: null }));
      expect(sealed.status).toBe(503);
      expect((sealed.body.vault_health as Record<string, unknown>).status).toBe("sealed");
      // The shared state shows the seal to every other container through /status.
      const other = contextFor({ ...(await envFor()), TABLE_NAME: ctx.settings.TABLE_NAME });
      const seen = await invoke(status, other, httpEvent({ path: "/api/v1/vault/status" }));
      expect((seen.body.health as Record<string, unknown>).status).toBe("sealed");
      expect((seen.body.monitoring as Record<string, unknown>).is_healthy).toBe(false);
    } finally {
      await vaultApi(vault.addr, vault.rootToken, "PUT", "sys/unseal", { key: vault.unsealKey });
    }
    const back = await invoke(health, ctx, httpEvent({ path: "/api/v1/vault/health", principal: null }));
    expect(back.status).toBe(200);
  });

  it("answers 503 unhealthy with the error when Vault is unreachable", async () => {
    const ctx = contextFor(await envFor({ VAULT_ADDR: "http://127.0.0.1:1" }));
    const res = await invoke(health, ctx, httpEvent({ path: "/api/v1/vault/health", principal: null }));
    expect(res.status).toBe(503);
    const body = res.body.vault_health as Record<string, string>;
    expect(body.status).toBe("unhealthy");
    // The public route says what failed, never which path or address.
    expect(body.last_error).toBe("Vault is not reachable");
    expect(JSON.stringify(res.body)).not.toMatch(/127\.0\.0\.1|\/secret\/|sys\/health/);
    expect(body.last_error_time).not.toBe("");
  });

  it("warns when the token expires within the hour", async () => {
    const created = await vaultApi(vault.addr, vault.rootToken, "POST", "auth/token/create", {
      ttl: "1800s",
      renewable: true,
    });
    const token = (created.json.auth as { client_token: string }).client_token;
    const ctx = contextFor(await envFor({ VAULT_TOKEN: token }));
    const res = await invoke(health, ctx, httpEvent({ path: "/api/v1/vault/health", principal: null }));
    const body = res.body.vault_health as { token_ttl_seconds: number; token_renewable: boolean; warnings: string[] };
    expect(body.token_renewable).toBe(true);
    expect(body.token_ttl_seconds).toBeGreaterThan(1700);
    expect(body.warnings.join(" ")).toMatch(/expires in/);
  });
});

describe("shared counters and cache across containers", () => {
  it("adds up the requests of two separately created contexts", async () => {
    // Each request's counts flushed at its end (by default, successes wait up to COUNTER_FLUSH_MS).
    const env = await envFor({ COUNTER_FLUSH_MS: "0" });
    const a = contextFor(env);
    const b = contextFor(env);
    await invoke(health, a, httpEvent({ path: "/api/v1/vault/health", principal: null }));
    await invoke(health, a, httpEvent({ path: "/api/v1/vault/health", principal: null }));
    await invoke(health, b, httpEvent({ path: "/api/v1/vault/health", principal: null }));
    const fromA = (await a.counters.totals()).values;
    const calls = [...fromA].filter(([k]) => k.startsWith("n|")).reduce((sum, [, v]) => sum + v, 0);
    // Each health call: sys/health; the first call of each context also logs in (lookup-self) and looks up the token.
    expect(fromA.get("n|health|ok")).toBe(3);
    const res = await invoke(metrics, b, httpEvent({ path: "/api/v1/vault/metrics" }));
    const requests = (res.body.vault_metrics as { requests: { total: number; successful: number; failed: number } })
      .requests;
    expect(requests.total).toBeGreaterThanOrEqual(calls);
    expect(requests.successful + requests.failed).toBe(requests.total);
  });

  it("clears the shared cache and makes another container drop its in-process tier", async () => {
    const env = await envFor({ CACHE_GENERATION_CHECK_MS: "0" });
    const a = contextFor(env);
    const b = contextFor(env);
    let loads = 0;
    const load = async () => {
      loads++;
      return { value: `v${loads}`, version: loads, cacheable: true };
    };
    expect((await b.cache.get("prod/app/key", load))?.tier).toBe("origin");
    expect((await b.cache.get("prod/app/key", load))?.tier).toBe("memory");
    const cleared = await invoke(cacheClear, a, httpEvent({ method: "POST", path: "/api/v1/vault/cache/clear" }));
    expect(cleared.status).toBe(200);
    expect(cleared.body.message).toBe("Vault cache cleared successfully");
    expect((cleared.body.cleared_stats as { total_entries: number }).total_entries).toBe(1);
    const after = await b.cache.get("prod/app/key", load);
    expect(after?.tier).toBe("origin");
    expect(after?.value).toBe("v2");
  });

  it("serves /metrics as JSON with cache figures, and as Prometheus text", async () => {
    const ctx = contextFor(await envFor());
    await ctx.cache.get("k1", async () => ({ value: "x", version: 1, cacheable: true }));
    await ctx.cache.get("k1", async () => ({ value: "x", version: 1, cacheable: true }));
    // The shared tier's size is the last sweep's: none yet, then one entry.
    const before = await invoke(metrics, ctx, httpEvent({ path: "/api/v1/vault/metrics" }));
    expect(before.body.cache_metrics).toMatchObject({ total_entries: 0, entries_as_of: null });
    await ctx.cache.sweep();
    const json = await invoke(metrics, ctx, httpEvent({ path: "/api/v1/vault/metrics" }));
    const cache = json.body.cache_metrics as Record<string, unknown>;
    expect(cache.entries_as_of).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT/));
    expect(cache).toMatchObject({
      total_entries: 1,
      total_accesses: 2,
      hits: 1,
      misses: 1,
      ttl: "15m0s",
      hit_rate: "50.00%",
    });
    const text = await invoke(
      metrics,
      ctx,
      httpEvent({ path: "/api/v1/vault/metrics", query: { format: "prometheus" } }),
    );
    expect(text.headers["content-type"]).toMatch(/^text\/plain/);
    expect(text.text).toMatch(/^vaultops_key_backend_up\{backend="vault"\} 1$/m);
    expect(text.text).toMatch(/^vaultops_key_cache_size\{backend="vault"\} 1$/m);
    const viaAccept = await invoke(
      metrics,
      ctx,
      httpEvent({ path: "/api/v1/vault/metrics", headers: { accept: "text/plain" } }),
    );
    expect(viaAccept.text).toContain("# TYPE vaultops_key_operations_total counter");
  });
});

describe("POST /api/v1/vault/token/renew", () => {
  it("renews a renewable token (200 with token_info)", async () => {
    const created = await vaultApi(vault.addr, vault.rootToken, "POST", "auth/token/create", {
      ttl: "600s",
      renewable: true,
    });
    const token = (created.json.auth as { client_token: string }).client_token;
    const ctx = contextFor(await envFor({ VAULT_TOKEN: token }));
    const res = await invoke(tokenRenew, ctx, httpEvent({ method: "POST", path: "/api/v1/vault/token/renew" }));
    expect(res.status).toBe(200);
    expect(res.body.message).toBe("Token renewed successfully");
    expect(res.body.token_info).toMatchObject({ renewable: true });
  });

  it("answers 400 with the seed's error body for a token that is not renewable", async () => {
    const ctx = contextFor(await envFor());
    const res = await invoke(tokenRenew, ctx, httpEvent({ method: "POST", path: "/api/v1/vault/token/renew" }));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: "Failed to renew token", details: "token is not renewable" });
  });

  it("answers 503 when Vault is unreachable", async () => {
    const ctx = contextFor(await envFor({ VAULT_ADDR: "http://127.0.0.1:1" }));
    const res = await invoke(tokenRenew, ctx, httpEvent({ method: "POST", path: "/api/v1/vault/token/renew" }));
    expect(res.status).toBe(503);
    expect(res.body.code).toBe("vault_unavailable");
  });
});

describe("authorization in the route stack", () => {
  it("answers 401 without an identity and 403 with the read scope on an admin route", async () => {
    const ctx = contextFor(await envFor());
    const anonymous = await invoke(
      cacheClear,
      ctx,
      httpEvent({ method: "POST", path: "/api/v1/vault/cache/clear", principal: null }),
    );
    expect(anonymous.status).toBe(401);
    const reader = await invoke(
      cacheClear,
      ctx,
      httpEvent({ method: "POST", path: "/api/v1/vault/cache/clear", principal: { name: "r", scopes: "read" } }),
    );
    expect(reader.status).toBe(403);
    expect(reader.body.code).toBe("forbidden");
  });
});
