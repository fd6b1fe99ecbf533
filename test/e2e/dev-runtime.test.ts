import { existsSync } from "node:fs";
import { DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { routeList } from "@vaultops/api";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { findLambdaTools } from "../../packages/dev/src/lambda-tools";
import { type DevFacts, startDevRuntime } from "../support/dev-runtime";
import { registerSecret } from "../support/harness";

/**
 * `npm run dev` as a user runs it: a child process that starts its own Vault and DynamoDB, prints
 * `ready`, writes dev.json, serves every route over HTTP, and stops everything on SIGINT; once with
 * the TypeScript handlers in its own process (`source`), once with every function's built bundle in
 * its own emulated Lambda (`VAULTOPS_RUNTIME=lambda`).
 */
const lambdaAvailable = findLambdaTools().tools !== undefined;
if (!lambdaAvailable)
  process.stderr.write("\n!!! dev-runtime: the Lambda runtime is missing; VAULTOPS_RUNTIME=lambda NOT tested !!!\n");
const runtimes = lambdaAvailable || process.env.CI === "true" ? (["source", "lambda"] as const) : (["source"] as const);

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe.each(runtimes)("npm run dev (runtime: %s)", (runtime) => {
  let stack: Awaited<ReturnType<typeof startDevRuntime>>;
  let facts: DevFacts;
  const api = (p: string, init: RequestInit = {}) => fetch(`${facts.apiUrl}${p}`, init);

  beforeAll(async () => {
    stack = await startDevRuntime({ VAULTOPS_RUNTIME: runtime });
    facts = stack.facts;
  }, 300_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it("prints the runtime, the API URL, the dev API token, the Vault address and root token, then ready", () => {
    expect(facts.runtime).toBe(runtime);
    const output = stack.output();
    expect(output).toMatch(new RegExp(`Runtime\\s+${runtime}`));
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

  it("creates, reads, updates with If-Match (409 when stale), lists and deletes a config, and clears the cache", async () => {
    const admin = { ...bearer(facts.apiToken), "content-type": "application/json" };
    const q = `environment=e2e&service_name=${runtime}`;
    const created = await api("/api/v1/config", {
      method: "POST",
      headers: admin,
      body: JSON.stringify({ key: "db_url", value: "postgres://db:5432", environment: "e2e", service_name: runtime }),
    });
    expect(created.status).toBe(201);
    const read = await api(`/api/v1/config/db_url?${q}`, { headers: bearer(facts.apiReadToken) });
    expect(read.headers.get("etag")).toBe('"1"');
    expect(await read.json()).toMatchObject({ value: "postgres://db:5432", version: 1 });
    const stale = await api(`/api/v1/config/db_url?${q}`, {
      method: "PUT",
      headers: { ...admin, "If-Match": '"5"' },
      body: JSON.stringify({ value: "postgres://db2:5432" }),
    });
    expect(stale.status).toBe(409);
    const updated = await api(`/api/v1/config/db_url?${q}`, {
      method: "PUT",
      headers: { ...admin, "If-Match": '"1"' },
      body: JSON.stringify({ value: "postgres://db2:5432" }),
    });
    expect(await updated.json()).toMatchObject({ version: 2, value: "postgres://db2:5432" });
    const listed = (await (await api(`/api/v1/config?${q}`, { headers: bearer(facts.apiReadToken) })).json()) as {
      total: number;
    };
    expect(listed.total).toBe(1);
    // Another function (another container in lambda mode) may serve its in-process copy for up to
    // CACHE_MEMORY_TTL_SECONDS (5 s) after a write elsewhere: the bound the README states.
    const started = Date.now();
    let seen = "";
    while (Date.now() - started < 7_000) {
      seen = String(
        (
          (await (await api(`/api/v1/config/db_url?${q}`, { headers: bearer(facts.apiReadToken) })).json()) as {
            value: string;
          }
        ).value,
      );
      if (seen === "postgres://db2:5432") break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(seen).toBe("postgres://db2:5432");
    expect(Date.now() - started).toBeLessThan(6_000);
    const cleared = await api("/api/v1/vault/cache/clear", { method: "POST", headers: bearer(facts.apiToken) });
    expect(cleared.status).toBe(200);
    const deleted = await api(`/api/v1/config/db_url?${q}`, { method: "DELETE", headers: bearer(facts.apiToken) });
    expect(deleted.status).toBe(200);
    // At once with Cache-Control: no-cache; within the in-process bound (5 s) for a plain read.
    const fresh = await api(`/api/v1/config/db_url?${q}`, {
      headers: { ...bearer(facts.apiToken), "Cache-Control": "no-cache" },
    });
    expect(fresh.status).toBe(404);
    const gone = Date.now();
    let status = 200;
    while (status !== 404 && Date.now() - gone < 7_000) {
      status = (await api(`/api/v1/config/db_url?${q}`, { headers: bearer(facts.apiToken) })).status;
      if (status !== 404) await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe(404);
    expect(Date.now() - gone).toBeLessThan(6_000);
  });

  it("counts and audits a request the gateway refuses without a token (API Gateway's 401, before the authorizer)", async () => {
    const failures = async () => {
      const text = await (
        await api("/api/v1/vault/metrics?format=prometheus", { headers: bearer(facts.apiToken) })
      ).text();
      return Number(/^vaultops_authentication_failures_total\{source="api"\} (\d+)/m.exec(text)?.[1]);
    };
    const before = await failures();
    const refused = await api("/api/v1/vault/status");
    expect(refused.status).toBe(401);
    // The metrics function reads the shared counters at most every HEALTH_MEMO_MS.
    let after = await failures();
    for (let i = 0; i < 40 && after === before; i++) {
      await new Promise((r) => setTimeout(r, 250));
      after = await failures();
    }
    expect(after).toBe(before + 1);
    const audit = (await (
      await api("/api/v1/audit?operation=authenticate&actor=anonymous", { headers: bearer(facts.apiToken) })
    ).json()) as { items: Array<{ path: string; success: boolean; error: string }> };
    expect(audit.items[0]).toMatchObject({ path: "GET /api/v1/vault/status", success: false, error: "unauthorized" });
  });

  it("refuses bodies over the API's limit with 413 (64 KB, 7 MB, 11 MB), and keeps serving", async () => {
    for (const bytes of [70 * 1024, 7 * 1024 * 1024, 11 * 1024 * 1024]) {
      const res = await api("/api/v1/config", {
        method: "POST",
        headers: { ...bearer(facts.apiToken), "content-type": "application/json" },
        body: JSON.stringify({ key: "big", value: "x".repeat(bytes), environment: "e2e", service_name: "big" }),
      });
      expect(res.status, `${bytes} bytes`).toBe(413);
    }
    const after = await api("/api/v1/config?environment=e2e&service_name=big", { headers: bearer(facts.apiToken) });
    expect(after.status).toBe(200);
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

describe("npm run dev with DYNAMODB_ENDPOINT", () => {
  it("uses that DynamoDB-API server (moto here) and starts no dynalite", async () => {
    const moto = inject("services").awsEndpoint;
    const stack = await startDevRuntime({ DYNAMODB_ENDPOINT: moto });
    try {
      expect(stack.facts.dynamodbEndpoint).toBe(moto);
      expect(stack.output()).toMatch(/DynamoDB\s+\S+ \(from DYNAMODB_ENDPOINT\)/);
      const created = await fetch(`${stack.facts.apiUrl}/api/v1/config`, {
        method: "POST",
        headers: { ...bearer(stack.facts.apiToken), "content-type": "application/json" },
        body: JSON.stringify({ key: "k", value: "on-moto", environment: "e2e", service_name: "moto" }),
      });
      expect(created.status).toBe(201);
      // The audit record of that create is in moto's table.
      const client = new DynamoDBClient({
        region: "us-east-1",
        endpoint: moto,
        credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
      });
      const scan = await client.send(new ScanCommand({ TableName: "vaultops-state" }));
      expect(JSON.stringify(scan.Items)).toContain("e2e/moto/k");
    } finally {
      await stack.stop();
    }
  }, 120_000);
});
