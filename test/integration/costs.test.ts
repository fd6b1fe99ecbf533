import { randomBytes } from "node:crypto";
import { createNodeVaultTransport, TELEMETRY_POLICY, VaultPermissionError, type VaultRequest } from "@vaultops/core";
import { beforeAll, describe, expect, it } from "vitest";
import { createHandler as auditQuery } from "../../functions/audit/query";
import { createHandler as create } from "../../functions/config/create";
import { createHandler as list } from "../../functions/config/list";
import { createHandler as healthJob } from "../../functions/jobs/health-check";
import { createHandler as health } from "../../functions/vault/health";
import { createHandler as metrics } from "../../functions/vault/metrics";
import { createHandler as status } from "../../functions/vault/status";
import { scheduledEvent } from "../support/events";
import { contextFor, createEvent, httpEvent, invoke, testEnv } from "../support/harness";

/** Requests that cost what they should, and Vault's own view in status and metrics. */
let env: Record<string, string>;

/** A context whose Vault and DynamoDB calls are counted where they leave the process. */
async function counted(overrides: Record<string, string> = {}, deny?: (r: VaultRequest) => boolean) {
  const calls = { vault: [] as string[], dynamo: [] as string[] };
  const real = createNodeVaultTransport({ address: env.VAULT_ADDR as string, timeoutMs: 3_000 });
  const ctx = contextFor(
    { ...env, ...overrides },
    {
      transport: async (request: VaultRequest) => {
        calls.vault.push(`${request.method} ${request.path}`);
        if (deny?.(request)) throw new VaultPermissionError("Permission denied by Vault", { details: request.path });
        return real(request);
      },
    },
  );
  const doc = await ctx.clients.documentClient();
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      calls.dynamo.push(String(context.commandName));
      return next(args);
    },
    { step: "initialize", name: "countDynamo" },
  );
  return { ctx, calls };
}

beforeAll(async () => {
  env = await testEnv({ VAULT_DEADLINE_MS: "8000", VAULT_REQUEST_TIMEOUT_MS: "3000", EMF_ENABLED: "false" });
});

describe("the public health check costs nothing", () => {
  it("1,000 calls to one container make at most a handful of DynamoDB calls", async () => {
    const { ctx, calls } = await counted({ HEALTH_MEMO_MS: "2000" });
    const probe = () => invoke(health, ctx, httpEvent({ path: "/api/v1/vault/health", principal: null }));
    await probe(); // the first call of a container reads and records what it must
    const before = calls.dynamo.length;
    const started = Date.now();
    for (let i = 0; i < 1_000; i++) expect((await probe()).status).toBe(200);
    const elapsed = Date.now() - started;
    // One memo period per 2 s: at most one shared read (and one counter flush) per period.
    const periods = Math.ceil(elapsed / 2_000);
    expect(calls.dynamo.length - before).toBeLessThanOrEqual(3 * periods);
    process.stderr.write(
      `[costs] 1,000 public health calls in ${elapsed} ms: ${calls.dynamo.length - before} DynamoDB calls, ${calls.vault.length} Vault calls\n`,
    );
  });
});

describe("a list costs one page", () => {
  it("one KV v2 LIST and at most `limit` reads, whatever the size of the service", async () => {
    // The memory tier outlives the test however slow the machine: the second page is served from it.
    const { ctx, calls } = await counted({ CACHE_MEMORY_TTL_SECONDS: "300" });
    const ns = { environment: "costs", service_name: `big-${randomBytes(3).toString("hex")}` };
    for (let i = 0; i < 300; i += 50)
      await Promise.all(
        Array.from({ length: 50 }, (_, j) =>
          ctx.gateway.request("kv_write", {
            method: "POST",
            path: `/secret/data/${ns.environment}/${ns.service_name}/k${String(i + j).padStart(4, "0")}`,
            json: { data: { value: `v${i + j}`, is_encrypted: (i + j) % 2 === 0 } },
          }),
        ),
      );
    calls.vault.length = 0;
    const page = await invoke(
      list,
      ctx,
      httpEvent({ path: "/api/v1/config", query: { ...ns, limit: "20", offset: "40" } }),
    );
    expect(page.body).toMatchObject({ total: 300, limit: 20, offset: 40, has_more: true });
    expect((page.body.items as Array<{ key: string }>).map((i) => i.key)[0]).toBe("k0040");
    const lists = calls.vault.filter((c) => c.includes("?list=true"));
    const reads = calls.vault.filter((c) => c.startsWith("GET") && c.includes("/data/"));
    expect(lists).toHaveLength(1);
    expect(reads.length).toBeLessThanOrEqual(20);

    // Again: the sensitive half is read from Vault, and its tombstones are not written again;
    // what is left is the page's audit records and counters.
    calls.dynamo.length = 0;
    await invoke(list, ctx, httpEvent({ path: "/api/v1/config", query: { ...ns, limit: "20", offset: "40" } }));
    expect(calls.dynamo.filter((c) => c === "PutItemCommand")).toEqual([]);
    expect(calls.dynamo.length, calls.dynamo.join(", ")).toBeLessThanOrEqual(4);
  });
});

describe("an audit page costs one page", () => {
  it("reads about `limit` records per shard, however many the day holds", async () => {
    // Arrange: a busy day (2,000 records) and a count of the items DynamoDB returns.
    const { ctx } = await counted();
    const actor = { name: `busy-${randomBytes(3).toString("hex")}` };
    await ctx.audit.recordMany(
      Array.from({ length: 2_000 }, (_, i) => ({ operation: "read", path: `costs/audit/k${i}`, success: true })),
      actor,
    );
    let itemsRead = 0;
    const doc = await ctx.clients.documentClient();
    doc.middlewareStack.add(
      (next) => async (args) => {
        const out = await next(args);
        itemsRead += ((out.output as { Items?: unknown[] }).Items ?? []).length;
        return out;
      },
      { step: "initialize", name: "countItems" },
    );
    // Act
    const page = await invoke(auditQuery, ctx, httpEvent({ path: "/api/v1/audit", query: { limit: "20" } }));
    // Assert: 8 shards, each asked for 21 items
    expect(page.status).toBe(200);
    expect(page.body.items).toHaveLength(20);
    expect(page.body.next_cursor).toEqual(expect.any(String));
    expect(itemsRead).toBeLessThanOrEqual(8 * 21);
  });
});

describe("Vault's own view (sys/metrics)", () => {
  it("the health job keeps Vault's figures; status shows them under vault_telemetry, Prometheus as vaultops_vault_*", async () => {
    const { ctx } = await counted();
    await ctx.gateway.request("kv_write", {
      method: "POST",
      path: "/secret/data/costs/telemetry/k",
      json: { data: { value: "x", is_encrypted: false } },
    });
    await healthJob(() => ctx)(scheduledEvent() as never);
    const res = await invoke(status, ctx, httpEvent({ path: "/api/v1/vault/status" }));
    const telemetry = res.body.vault_telemetry as Record<string, unknown>;
    expect(telemetry).toMatchObject({ available: true, unsealed: true, active: true, kv: { mount: "secret" } });
    // Vault's counts are of one interval of its in-memory sink (10 s): present, maybe 0 in a quiet one.
    expect(telemetry.requests).toMatchObject({ count: expect.any(Number), per_second: expect.any(Number) });
    expect(telemetry.leases).toEqual(expect.any(Number));
    expect(telemetry.read_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    const prom = await invoke(
      metrics,
      ctx,
      httpEvent({ path: "/api/v1/vault/metrics", query: { format: "prometheus" } }),
    );
    expect(prom.text).toMatch(/^vaultops_vault_unsealed 1$/m);
    expect(prom.text).toMatch(/^vaultops_vault_requests_per_second \d/m);
    expect(prom.text).toMatch(/^vaultops_vault_kv_operations\{mount="secret",operation="write"\} \d+$/m);
  });

  it("says so, instead of failing, when the plane's token may not read sys/metrics", async () => {
    const { ctx } = await counted({}, (r) => r.path.startsWith("/sys/metrics"));
    const job = await healthJob(() => ctx)(scheduledEvent() as never);
    expect(job.ok).toBe(true);
    const res = await invoke(status, ctx, httpEvent({ path: "/api/v1/vault/status" }));
    expect(res.status).toBe(200);
    expect(res.body.vault_telemetry).toMatchObject({ available: false });
    expect(String((res.body.vault_telemetry as { reason: string }).reason)).toContain(TELEMETRY_POLICY);
  });
});

describe("the security figures of seed 004", () => {
  it("counts a create by a token that is not a planned creator as UnplannedKeyCreation", async () => {
    const emf: string[] = [];
    const ctx = contextFor(
      { ...env, EMF_ENABLED: "true", PLANNED_CREATORS: "ci, migration" },
      { emf: (line) => emf.push(line) },
    );
    const ns = { environment: "costs", service_name: `created-${randomBytes(3).toString("hex")}` };
    const createAs = (name: string, key: string) =>
      invoke(create, ctx, createEvent({ key, value: "v", ...ns }, { name, scopes: "admin" }));
    expect((await createAs("ci", "planned")).status).toBe(201);
    expect((await createAs("someone", "unplanned")).status).toBe(201);
    ctx.accessMetrics.flush();
    const security = emf.map((l) => JSON.parse(l) as Record<string, number>).filter((l) => "UnplannedKeyCreation" in l);
    expect(security.reduce((n, l) => n + (l.UnplannedKeyCreation ?? 0), 0)).toBe(1);
    await ctx.recorder.flush();
    const prom = await invoke(
      metrics,
      ctx,
      httpEvent({ path: "/api/v1/vault/metrics", query: { format: "prometheus" } }),
    );
    expect(prom.text).toMatch(/^vaultops_key_creations_total\{planned="false"\} [1-9]/m);
    expect(prom.text).toMatch(/^vaultops_key_creations_total\{planned="true"\} [1-9]/m);
  });

  it("counts Vault refusing the plane's login as a failed authentication", async () => {
    const emf: string[] = [];
    const ctx = contextFor(
      {
        ...env,
        EMF_ENABLED: "true",
        VAULT_AUTH_METHOD: "approle",
        VAULT_ROLE_ID: "not-a-role",
        VAULT_SECRET_ID: "not-a-secret",
      },
      { emf: (line) => emf.push(line) },
    );
    await expect(ctx.config.get({ environment: "e", service_name: "s", key: "k" })).rejects.toThrow();
    ctx.accessMetrics.flush();
    expect(emf.some((l) => ((JSON.parse(l) as Record<string, number>).FailedAuthentication ?? 0) >= 1)).toBe(true);
    expect(ctx.recorder.unflushed().values.get("auth|failed_vault")).toBeGreaterThanOrEqual(1);
  });
});
