import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  DynamoCacheStore,
  detectAnomalies,
  filterRecords,
  parseVaultAuditLog,
  summarize,
  type VaultopsContext,
} from "@vaultops/core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createHandler as incidentFunction } from "../../functions/alarms/incident";
import { createHandler as listIncidents } from "../../functions/alarms/list";
import { createHandler as anomalies } from "../../functions/audit/anomalies";
import { createHandler as auditQuery } from "../../functions/audit/query";
import { createHandler as auditSummary } from "../../functions/audit/summary";
import { createHandler as create } from "../../functions/config/create";
import { createHandler as get } from "../../functions/config/get";
import { createHandler as cacheClear } from "../../functions/vault/cache-clear";
import { createHandler as tokenRenew } from "../../functions/vault/token-renew";
import { startVaultServer, type VaultServer } from "../../packages/dev/src/vault-server";
import { contextFor, httpEvent, invoke, testEnv, vaultApi } from "../support/harness";

let env: Record<string, string>;
let ctx: VaultopsContext;
const ns = { environment: "aud", service_name: `svc-${randomBytes(3).toString("hex")}` };
const as = (name: string) => ({ principal: { name, scopes: "admin" } });
const getEvent = (key: string, principal = "alice") =>
  httpEvent({ path: `/api/v1/config/${key}`, query: ns, ...as(principal), pathParams: { key } });

beforeAll(async () => {
  env = await testEnv();
  ctx = contextFor(env);
});

describe("the audit trail", () => {
  it("records reads, failures, changes, cache clears and token renewals, and filters them", async () => {
    await invoke(
      create,
      ctx,
      httpEvent({
        method: "POST",
        path: "/api/v1/config",
        body: JSON.stringify({ key: "db", value: "v1", ...ns }),
        ...as("bob"),
      }),
    );
    await invoke(
      create,
      ctx,
      httpEvent({
        method: "POST",
        path: "/api/v1/config",
        body: JSON.stringify({ key: "db", value: "v2", ...ns }),
        ...as("bob"),
      }),
    );
    await invoke(get, ctx, getEvent("db"));
    await invoke(get, ctx, getEvent("db"));
    expect((await invoke(get, ctx, getEvent("missing"))).status).toBe(404);
    await invoke(cacheClear, ctx, httpEvent({ method: "POST", path: "/api/v1/vault/cache/clear", ...as("carol") }));
    await invoke(tokenRenew, ctx, httpEvent({ method: "POST", path: "/api/v1/vault/token/renew", ...as("carol") }));

    const all = await invoke(auditQuery, ctx, httpEvent({ path: "/api/v1/audit" }));
    const ops = (all.body.items as Array<{ operation: string; success: boolean }>).map(
      (r) => `${r.operation}:${r.success}`,
    );
    expect(ops).toEqual(
      expect.arrayContaining([
        "create:true",
        "create:false",
        "read:true",
        "read:false",
        "cache_clear:true",
        "token_renew:false",
      ]),
    );
    const reads = await invoke(
      auditQuery,
      ctx,
      httpEvent({ path: "/api/v1/audit", query: { operation: "read", actor: "alice", success: "true" } }),
    );
    expect(reads.body.count).toBe(2);
    const first = (reads.body.items as Array<Record<string, unknown>>)[0];
    expect(first).toMatchObject({
      operation: "read",
      path: `aud/${ns.service_name}/db`,
      actor: "alice",
      success: true,
      sourceIp: "127.0.0.1",
    });
    expect(first?.keyHash).toMatch(/^[0-9a-f]{16}$/);
    expect(first?.requestId).toBeTruthy();
    const byGlob = await invoke(
      auditQuery,
      ctx,
      httpEvent({ path: "/api/v1/audit", query: { path: `aud/${ns.service_name}/*`, success: "false" } }),
    );
    expect((byGlob.body.items as Array<{ operation: string }>).map((r) => r.operation).sort()).toEqual([
      "create",
      "read",
    ]);
    const none = await invoke(auditQuery, ctx, httpEvent({ path: "/api/v1/audit", query: { client_ip: "192.0.2.1" } }));
    expect(none.body.count).toBe(0);
  });

  it("pages newest first with a cursor", async () => {
    const pageOne = await invoke(auditQuery, ctx, httpEvent({ path: "/api/v1/audit", query: { limit: "3" } }));
    expect(pageOne.body.count).toBe(3);
    const cursor = pageOne.body.next_cursor as string;
    expect(cursor).toBeTruthy();
    const pageTwo = await invoke(auditQuery, ctx, httpEvent({ path: "/api/v1/audit", query: { limit: "3", cursor } }));
    const times = [
      ...(pageOne.body.items as Array<{ at: string }>),
      ...(pageTwo.body.items as Array<{ at: string }>),
    ].map((r) => r.at);
    expect(times).toEqual([...times].sort().reverse());
    expect(new Set(times).size).toBe(times.length);
  });

  it("summarises by operation and time window", async () => {
    const res = await invoke(
      auditSummary,
      ctx,
      httpEvent({ path: "/api/v1/audit/summary", query: { window_minutes: "5" } }),
    );
    expect((res.body.by_operation as Record<string, number>).read).toBe(3);
    expect(
      (res.body.access_patterns as { top_actors: Array<{ name: string }> }).top_actors.map((a) => a.name),
    ).toContain("alice");
    expect(res.body.truncated).toBe(false);
  });

  it("says when the range holds more records than a summary reads (the newest 10,000)", async () => {
    // Arrange: a day of its own (a clock years ahead) holding 10,001 records
    const at = Date.parse("2031-03-03T10:00:00Z");
    const busy = contextFor(env, { clock: { now: () => at } });
    const reads = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ operation: "read", path: `aud/busy/k${i}`, success: true }));
    await Promise.all([2_501, 2_500, 2_500, 2_500].map((n) => busy.audit.recordMany(reads(n), { name: "busy" })));
    // Act
    const res = await invoke(auditSummary, busy, httpEvent({ path: "/api/v1/audit/summary" }));
    // Assert
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ total: 10_000, truncated: true, oldest_examined: "2031-03-03T10:00:00.000Z" });
  }, 60_000);

  it("refuses a bad time with 400", async () => {
    const res = await invoke(auditQuery, ctx, httpEvent({ path: "/api/v1/audit", query: { from: "yesterday-ish" } }));
    expect(res.status).toBe(400);
  });

  it("publishes reads per environment and service as CloudWatch EMF lines", async () => {
    const lines: string[] = [];
    const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      await invoke(get, ctx, getEvent("db"));
    } finally {
      spy.mockRestore();
    }
    const emf = lines.map((l) => JSON.parse(l)).find((l) => l._aws);
    expect(emf).toMatchObject({ Environment: "aud", Service: ns.service_name, Reads: 1, Denied: 0, Failures: 0 });
    expect(emf._aws.CloudWatchMetrics[0].Dimensions).toEqual([["Environment", "Service"], []]);
    expect(emf.RetrievalLatency).toHaveLength(1);
  });
});

describe("anomaly detection", () => {
  it("flags a read burst and a failure burst, and leaves normal traffic alone", async () => {
    let now = Date.parse("2026-11-20T12:00:00Z");
    const clocked = contextFor(
      { ...env, TABLE_NAME: (await testEnv()).TABLE_NAME as string },
      { clock: { now: () => now } },
    );
    const start = now;
    // A day of normal traffic: two paths read a few times an hour by one service account.
    for (let h = 0; h < 24; h++) {
      now = start + h * 3_600_000;
      for (const p of ["prod/api/db", "prod/api/key"]) {
        await clocked.audit.record(
          { operation: "read", path: p, success: true },
          { name: "svc-api", sourceIp: "10.0.0.5" },
        );
      }
    }
    // Then the last hour: 150 reads of one path, and 12 failures in one minute from one address.
    now = start + 24 * 3_600_000 + 10 * 60_000;
    for (let i = 0; i < 150; i++)
      await clocked.audit.record(
        { operation: "read", path: "prod/api/db", success: true },
        { name: "svc-api", sourceIp: "10.0.0.5" },
      );
    for (let i = 0; i < 2; i++)
      await clocked.audit.record(
        { operation: "read", path: "prod/api/key", success: true },
        { name: "svc-api", sourceIp: "10.0.0.5" },
      );
    for (let i = 0; i < 12; i++)
      await clocked.audit.record(
        { operation: "read", path: "prod/api/db", success: false, error: "forbidden" },
        { name: "mallory", sourceIp: "10.6.6.6" },
      );
    now += 60_000;
    const res = await invoke(
      anomalies,
      clocked,
      httpEvent({ path: "/api/v1/audit/anomalies", query: { window_minutes: "60", threshold: "100" } }),
    );
    const found = res.body.anomalies as Array<{ kind: string; subject: string }>;
    expect(found).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: "read_rate", subject: "prod/api/db" }),
        expect.objectContaining({ kind: "failure_burst", subject: "10.6.6.6" }),
      ]),
    );
    expect(found.find((a) => a.subject === "prod/api/key")).toBeUndefined();
    expect(found.find((a) => a.subject === "svc-api")).toBeUndefined();
  });

  it("flags access at an hour the actor was never active", () => {
    const base = Date.parse("2026-11-20T00:00:00Z");
    const records = [];
    for (let d = 0; d < 5; d++)
      for (let h = 9; h < 17; h++)
        records.push({
          at: new Date(base + d * 86_400_000 + h * 3_600_000).toISOString(),
          operation: "read",
          path: "p",
          actor: "ops",
          success: true,
        });
    records.push({
      at: new Date(base + 5 * 86_400_000 + 3 * 3_600_000).toISOString(),
      operation: "read",
      path: "p",
      actor: "ops",
      success: true,
    });
    const found = detectAnomalies(records, {
      windowMinutes: 60,
      threshold: 100,
      now: base + 5 * 86_400_000 + 3 * 3_600_000 + 60_000,
    });
    expect(found).toEqual([expect.objectContaining({ kind: "unusual_hour", subject: "ops", count: 1 })]);
  });
});

describe("Vault's own file audit device", () => {
  let vault: VaultServer;
  let logFile: string;
  beforeAll(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "vaultops-audit-"));
    const config = path.join(dir, "audit.hcl");
    logFile = path.join(dir, "vault-audit.log");
    writeFileSync(config, "unsafe_allow_api_audit_creation = true\n");
    vault = await startVaultServer({ configFile: config });
    const enabled = await vaultApi(vault.addr, vault.rootToken, "PUT", "sys/audit/file", {
      type: "file",
      options: { file_path: logFile },
    });
    expect(enabled.status).toBe(204);
  });
  afterAll(async () => {
    await vault?.stop();
  });

  it("parses real lines written by the dev server, with the same filters and anomaly detection", async () => {
    await vaultApi(vault.addr, vault.rootToken, "POST", "secret/data/app/db", { data: { password: "x" } });
    for (let i = 0; i < 3; i++) await vaultApi(vault.addr, vault.rootToken, "GET", "secret/data/app/db");
    expect((await vaultApi(vault.addr, "not-a-token", "GET", "secret/data/app/db")).status).toBe(403);
    const parsed = parseVaultAuditLog(`${readFileSync(logFile, "utf8")}\nnot json\n`);
    expect(parsed.malformed).toEqual([expect.objectContaining({ error: "not JSON" })]);
    expect(parsed.requests).toBeGreaterThan(0);
    const reads = filterRecords(parsed.records, { operation: "read", path: "secret/data/app/*" });
    expect(reads.filter((r) => r.success)).toHaveLength(3);
    expect(reads.filter((r) => !r.success)).toHaveLength(1);
    expect(reads[0]?.sourceIp).toBe("127.0.0.1");
    // KV v2 audits a first write as "create".
    expect(filterRecords(parsed.records, { operation: ["create", "update"], path: "secret/data/**" })).toHaveLength(1);
    expect(reads.find((r) => !r.success)?.actor).toBe("unknown");
    expect(JSON.stringify(parsed.records)).not.toContain(vault.rootToken);
    const summary = summarize(parsed.records, 60);
    expect(summary.by_operation.read).toBeGreaterThanOrEqual(4);
    const burst = detectAnomalies(parsed.records, { windowMinutes: 60, threshold: 3, now: Date.now() + 1_000 });
    expect(burst).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: "read_rate", subject: "secret/data/app/db" })]),
    );
  });
});

describe("incident response to a secret-access alarm", () => {
  it("records the incident, clears the scope's cache and rotates the affected secrets", async () => {
    const scope = { environment: "inc", service_name: `pay-${randomBytes(3).toString("hex")}` };
    await ctx.config.create({ key: "api_key", value: "old-secret", ...scope, is_encrypted: true }, { name: "setup" });
    await ctx.config.create(
      { key: "endpoint", value: "https://pay.example", ...scope, is_encrypted: false },
      { name: "setup" },
    );
    await ctx.rotation.putPolicy(
      { ...scope, key: "api_key" },
      { interval_days: 90, grace_period_hours: 1, auto_rotate: true, generator: { name: "hex64" } },
      { name: "setup" },
    );
    await ctx.config.get({ ...scope, key: "endpoint" });
    // The shared tier's values of this scope, read directly from the table.
    const cached = async () =>
      (await new DynamoCacheStore(ctx.table).all()).filter((e) => !e.tombstone && e.key.includes(scope.service_name));
    expect(await cached()).not.toEqual([]);

    const event = {
      source: "aws.cloudwatch",
      alarmArn: "arn:aws:cloudwatch:us-east-1:123456789012:alarm:vaultops-unusual-access",
      accountId: "123456789012",
      time: new Date().toISOString(),
      region: "us-east-1",
      alarmData: {
        alarmName: "vaultops-unusual-access",
        state: {
          value: "ALARM",
          reason: "Threshold Crossed: 1 datapoint [412.0] was greater than the threshold (100.0).",
          timestamp: new Date().toISOString(),
        },
        previousState: { value: "OK", reason: "", timestamp: new Date().toISOString() },
        configuration: {
          description: "Unusual secret access volume. vaultops:action=clear-cache,rotate",
          metrics: [
            {
              id: "m1",
              metricStat: {
                metric: {
                  namespace: "Vaultops",
                  name: "Reads",
                  dimensions: { Environment: scope.environment, Service: scope.service_name },
                },
                period: 300,
                stat: "Sum",
              },
              returnData: true,
            },
          ],
        },
      },
    };
    const incident = await incidentFunction(() => ctx)(event);
    expect(incident).toMatchObject({
      alarm_name: "vaultops-unusual-access",
      state: "ALARM",
      actions: ["clear-cache", "rotate"],
      scope,
    });
    expect(incident.cache_entries_cleared).toBe(1);
    expect(incident.rotated).toEqual([{ path: `inc/${scope.service_name}/api_key`, version: 2 }]);
    expect(await cached()).toEqual([]);
    const { vaultAddr, vaultToken } = { vaultAddr: env.VAULT_ADDR as string, vaultToken: env.VAULT_TOKEN as string };
    const current = await vaultApi(vaultAddr, vaultToken, "GET", `secret/data/inc/${scope.service_name}/api_key`);
    expect((current.json.data as { data: { value: string } }).data.value).toMatch(/^[0-9a-f]{64}$/);

    const listed = await invoke(listIncidents, ctx, httpEvent({ path: "/api/v1/incidents" }));
    expect((listed.body.items as Array<{ id: string }>)[0]?.id).toBe(incident.id);
  });

  it("records an OK transition without acting, and refuses an event that is not an alarm", async () => {
    const ok = await incidentFunction(() => ctx)({
      alarmData: {
        alarmName: "vaultops-backend-down",
        state: { value: "OK" },
        configuration: { description: "vaultops:action=clear-cache,rotate" },
      },
    });
    expect(ok.actions).toEqual([]);
    await expect(incidentFunction(() => ctx)({} as never)).rejects.toThrow(/Not a CloudWatch alarm event/);
  });
});
