import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { routeList } from "../../infra/routes";
import { type DevFacts, startDevRuntime } from "../support/dev-runtime";
import { registerSecret } from "../support/harness";

/**
 * `npm run dev` as a user runs it: a child process that starts its own Vault and DynamoDB, prints
 * `ready`, writes dev.json, serves every route over HTTP, and stops everything on SIGINT.
 */
let stack: Awaited<ReturnType<typeof startDevRuntime>>;
let facts: DevFacts;

beforeAll(async () => {
  stack = await startDevRuntime();
  facts = stack.facts;
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

const api = (p: string, init: RequestInit = {}) => fetch(`${facts.apiUrl}${p}`, init);
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe("npm run dev", () => {
  it("prints the API URL, the dev API token, the Vault address and root token, then ready", () => {
    const output = stack.output();
    expect(output).toContain(facts.apiUrl);
    expect(output).toContain(facts.apiToken);
    expect(output).toContain(facts.vaultAddr);
    expect(output).toContain(facts.vaultToken);
    expect(output).toMatch(/ready/);
    expect(Object.keys(facts)).toEqual(
      expect.arrayContaining(["apiUrl", "apiToken", "vaultAddr", "vaultToken", "vaultUnsealKey", "dynamodbEndpoint"]),
    );
  });

  it("answers health 200 healthy, 503 sealed after a seal, and 200 again after an unseal", async () => {
    const ok = await api("/api/v1/vault/health");
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { vault_health: { status: string } }).vault_health.status).toBe("healthy");
    const seal = await fetch(`${facts.vaultAddr}/v1/sys/seal`, {
      method: "PUT",
      headers: { "X-Vault-Token": facts.vaultToken },
    });
    expect(seal.status).toBe(204);
    // The health memo lasts at most a few seconds per container.
    let sealed: Response | undefined;
    for (let i = 0; i < 50; i++) {
      sealed = await api("/api/v1/vault/health");
      if (sealed.status === 503) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(sealed?.status).toBe(503);
    expect(((await (sealed as Response).json()) as { vault_health: { status: string } }).vault_health.status).toBe(
      "sealed",
    );
    await fetch(`${facts.vaultAddr}/v1/sys/unseal`, {
      method: "PUT",
      body: JSON.stringify({ key: facts.vaultUnsealKey }),
    });
    let back: Response | undefined;
    for (let i = 0; i < 50; i++) {
      back = await api("/api/v1/vault/health");
      if (back.status === 200) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(back?.status).toBe(200);
  });

  it.each(routeList.filter((r) => r.scope !== "public"))(
    "$method $path: 401 without a token, 403 with the wrong scope",
    async (route) => {
      const none = await api(route.path, { method: route.method });
      expect(none.status).toBe(401);
      expect(none.headers.get("content-type")).toMatch(/json/);
      const bad = await api(route.path, { method: route.method, headers: bearer("not-a-token") });
      expect(bad.status).toBe(401);
      if (route.scope === "admin") {
        const reader = await api(route.path, { method: route.method, headers: bearer(facts.apiReadToken) });
        expect(reader.status).toBe(403);
        expect(((await reader.json()) as { code: string }).code).toBe("forbidden");
      }
    },
  );

  it("serves metrics and status to the read token", async () => {
    const metrics = await api("/api/v1/vault/metrics", { headers: bearer(facts.apiReadToken) });
    expect(metrics.status).toBe(200);
    expect(await metrics.json()).toHaveProperty("cache_metrics.ttl", "15m0s");
    const status = await api("/api/v1/vault/status", { headers: bearer(facts.apiReadToken) });
    expect(await status.json()).toMatchObject({ integration: "hashicorp_vault", monitoring: { enabled: true } });
  });

  it("never caches a secret response nor allows any origin with credentials", async () => {
    registerSecret("header-check-secret");
    const created = await api("/api/v1/config", {
      method: "POST",
      headers: { ...bearer(facts.apiToken), "content-type": "application/json" },
      body: JSON.stringify({
        key: "hdr",
        value: "header-check-secret",
        environment: "e2e",
        service_name: "hdr",
        is_encrypted: true,
      }),
    });
    expect(created.status).toBe(201);
    const read = await api("/api/v1/config/hdr?environment=e2e&service_name=hdr", {
      headers: { ...bearer(facts.apiToken), origin: "https://evil.example" },
    });
    expect(read.headers.get("cache-control")).toBe("no-store");
    expect(read.headers.get("access-control-allow-origin")).toBeNull();
    expect(read.headers.get("access-control-allow-credentials")).toBeNull();
  });

  it("answers an unknown route with 404, and a known path with another method with 405 and Allow", async () => {
    const res = await api("/api/v1/nope");
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: "not_found" });
    const wrong = await api("/api/v1/vault/health", { method: "DELETE" });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("GET");
  });

  it("stops everything it started on Ctrl-C and removes dev.json", async () => {
    stack.child.kill("SIGINT");
    const code = await new Promise((r) => stack.child.once("exit", r));
    expect(code).toBe(0);
    expect(existsSync(stack.devFile)).toBe(false);
    await expect(fetch(`${facts.vaultAddr}/v1/sys/health`)).rejects.toThrow();
  });
});
