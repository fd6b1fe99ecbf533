import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import {
  createNodeVaultTransport,
  type DomainEvent,
  VaultConnectionError,
  type VaultopsContext,
  type VaultRequest,
} from "@vaultops/core";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { createHandler as create } from "../../functions/config/create";
import { createHandler as get } from "../../functions/config/get";
import { createHandler as list } from "../../functions/config/list";
import { createHandler as rollback } from "../../functions/config/rollback";
import { createHandler as update } from "../../functions/config/update";
import { createHandler as versions } from "../../functions/config/versions";
import { createHandler as cacheSweep } from "../../functions/jobs/cache-sweep";
import { createHandler as rotate } from "../../functions/rotation/rotate";
import { createHandler as health } from "../../functions/vault/health";
import { createHandler as metrics } from "../../functions/vault/metrics";
import { resolveVaultBinary } from "../../packages/dev/src/vault-server";
import { scheduledEvent } from "../support/events";
import {
  contextFor,
  createEvent,
  httpEvent,
  invoke,
  registerSecret,
  secretValue,
  testEnv,
  vaultApi,
} from "../support/harness";

/**
 * Vault stays the source of truth with other clients writing beside us (their writes go through
 * Vault's own HTTP API here, as hvac or the CLI would send them) and with racing requests: the
 * cache yields to Vault within stated bounds, nothing sensitive reaches DynamoDB, events or public
 * answers, and outcomes and figures say what happened.
 */
const services = () => inject("services");
const execFileAsync = promisify(execFile);
let env: Record<string, string>;
let ctx: VaultopsContext;
const events: DomainEvent[] = [];
const emf: string[] = [];
const ns = { environment: "coh", service_name: `svc-${randomBytes(4).toString("hex")}` };

const path = (key: string, suffix = "") => `/api/v1/config/${key}${suffix}`;
const getConfig = (key: string, headers: Record<string, string> = {}, context = ctx) =>
  invoke(get, context, httpEvent({ path: path(key), query: ns, pathParams: { key }, headers }));
const putConfig = (
  key: string,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
  context = ctx,
  query: Record<string, string> = {},
) =>
  invoke(
    update,
    context,
    httpEvent({
      method: "PUT",
      path: path(key),
      query: { ...ns, ...query },
      pathParams: { key },
      body: JSON.stringify(body),
      headers,
    }),
  );
const createConfig = (key: string, value: string, isEncrypted = false, context = ctx) =>
  invoke(create, context, createEvent({ key, value, ...ns, is_encrypted: isEncrypted }));
/** Another Vault client writing the same tree (hvac, the bao CLI, Terraform). */
const vaultWrite = (key: string, data: Record<string, unknown>) =>
  vaultApi(
    services().vaultAddr,
    services().vaultToken,
    "POST",
    `secret/data/${ns.environment}/${ns.service_name}/${key}`,
    {
      data,
    },
  );
const vaultValue = async (key: string) =>
  (
    (
      await vaultApi(
        services().vaultAddr,
        services().vaultToken,
        "GET",
        `secret/data/${ns.environment}/${ns.service_name}/${key}`,
      )
    ).json.data as { data: Record<string, unknown> }
  ).data;

async function tableItems(context = ctx): Promise<Record<string, unknown>[]> {
  const doc = await context.clients.documentClient();
  return (await doc.send(new ScanCommand({ TableName: context.settings.TABLE_NAME }))).Items ?? [];
}

beforeAll(async () => {
  // The default deadlines: these tests race many requests on two cores.
  env = await testEnv({
    CACHE_GENERATION_CHECK_MS: "0",
    EMF_ENABLED: "true",
    VAULT_DEADLINE_MS: "8000",
    VAULT_REQUEST_TIMEOUT_MS: "3000",
  });
  ctx = contextFor(env, {
    events: { publish: async (e) => void events.push(e) },
    emf: (line) => emf.push(line),
  });
});

describe("a sensitivity flip racing readers", () => {
  it("leaves no stale read after the write returns, in 200 trials (same container and a cold one)", async () => {
    const flipNs = { environment: "coh", service_name: `flip-${randomBytes(3).toString("hex")}` };
    const at = (key: string) => ({ path: path(key), query: flipNs, pathParams: { key } });
    let stale = 0;
    let staleShared = 0;
    // Readers wait a random moment between their Vault read and their cache refill: the race window.
    const real = createNodeVaultTransport({ address: env.VAULT_ADDR as string, timeoutMs: 3_000 });
    // The race is the subject, not DynamoDB's latency: 2,000 requests in bursts on the shared
    // emulator, which can stall a call past the default 1 s while the rest of the suite runs beside it.
    const patient = { ...env, DYNAMODB_TIMEOUT_MS: "5000", DYNAMODB_DEADLINE_MS: "10000" };
    const racing = contextFor(patient, {
      transport: async (request: VaultRequest) => {
        const out = await real(request);
        if (request.method === "GET" && request.path.includes("/data/")) {
          await new Promise((r) => setTimeout(r, Math.random() * 8));
        }
        return out;
      },
    });
    // Another container that reads the shared tier every time (no in-process copy).
    const cold = contextFor({ ...patient, CACHE_MEMORY_TTL_SECONDS: "0" });
    const trial = async (i: number) => {
      const key = `flip-${i}`;
      const secret = secretValue(`flip-secret-${i}`);
      await invoke(
        create,
        racing,
        httpEvent({
          method: "POST",
          path: "/api/v1/config",
          body: JSON.stringify({ key, value: `plain-${i}`, ...flipNs }),
        }),
      );
      const readers = Array.from({ length: 6 }, (_, r) =>
        new Promise((res) => setTimeout(res, r)).then(() => invoke(get, racing, httpEvent(at(key)))),
      );
      const written = await invoke(
        update,
        racing,
        httpEvent({ ...at(key), method: "PUT", body: JSON.stringify({ value: secret, is_encrypted: true }) }),
      );
      expect(written.status, JSON.stringify(written.body)).toBe(200);
      await Promise.all(readers);
      const after = await invoke(get, racing, httpEvent(at(key)));
      if (after.body.value !== secret || after.body.is_encrypted !== true) stale++;
      if ((await invoke(get, cold, httpEvent(at(key)))).body.value !== secret) staleShared++;
    };
    // Five trials at a time: each trial's race is its own (its readers against its writer).
    for (let i = 0; i < 200; i += 5) await Promise.all(Array.from({ length: 5 }, (_, j) => trial(i + j)));
    expect({ stale, staleShared }).toEqual({ stale: 0, staleShared: 0 });
    // No plain value of a flipped key is left in the shared tier: only tombstones.
    const flipped = (await tableItems()).filter((i) => String(i.sk).startsWith(`config:coh/${flipNs.service_name}/`));
    expect(flipped.length).toBeGreaterThan(0);
    expect(flipped.every((i) => i.tombstone === true && i.value === "")).toBe(true);
  }, 180_000);
});

describe("other Vault clients", () => {
  it("a 409 on the ETag the API served drops the stale copy; the retry with the new ETag succeeds", async () => {
    await createConfig("etag", "ours");
    expect((await getConfig("etag")).headers.etag).toBe('"1"');
    await vaultWrite("etag", { value: "theirs", is_encrypted: false });
    // Served from cache until the bound (below), with the ETag it had.
    expect((await getConfig("etag")).body.value).toBe("ours");
    const stale = await putConfig("etag", { value: "mine" }, { "If-Match": '"1"' });
    expect(stale.status).toBe(409);
    const fresh = await getConfig("etag");
    expect(fresh.body).toMatchObject({ value: "theirs", version: 2 });
    expect((await putConfig("etag", { value: "mine" }, { "If-Match": String(fresh.headers.etag) })).status).toBe(200);
  });

  it("Cache-Control: no-cache reads Vault and refreshes both tiers; a key deleted by another client is 404 then", async () => {
    await createConfig("nocache", "one");
    await getConfig("nocache");
    await vaultWrite("nocache", { value: "two", is_encrypted: false });
    expect((await getConfig("nocache", { "Cache-Control": "no-cache" })).body.value).toBe("two");
    // Both tiers now hold version 2: a container that never saw it reads it from the shared tier.
    expect((await getConfig("nocache", {}, contextFor(env))).body).toMatchObject({ value: "two", version: 2 });
    await vaultApi(
      services().vaultAddr,
      services().vaultToken,
      "DELETE",
      `secret/data/${ns.environment}/${ns.service_name}/nocache`,
    );
    expect((await getConfig("nocache", { "cache-control": "no-cache" })).status).toBe(404);
    const listed = await invoke(list, ctx, httpEvent({ path: "/api/v1/config", query: ns }));
    expect((listed.body.items as Array<{ key: string }>).map((i) => i.key)).not.toContain("nocache");
  });

  it("shows another client's write within the stated bound: the cache sweep (every 5 min) revalidates", async () => {
    let now = Date.now();
    const clock = { now: () => now };
    const sweepEnv = await testEnv({ CACHE_GENERATION_CHECK_MS: "0" });
    const reader = contextFor(sweepEnv, { clock });
    const key = `bound-${randomBytes(2).toString("hex")}`;
    await createConfig(key, "before", false, reader);
    await getConfig(key, {}, reader);
    const writtenAt = now;
    await vaultWrite(key, { value: "after", is_encrypted: false });
    // A request every 10 s, the sweep job every 5 minutes, each on the simulated clock.
    let seenAt: number | undefined;
    for (let t = 10_000; t <= 20 * 60_000 && seenAt === undefined; t += 10_000) {
      now = writtenAt + t;
      if (t % 300_000 === 0) await cacheSweep(() => reader)(scheduledEvent() as never);
      if ((await getConfig(key, {}, reader)).body.value === "after") seenAt = now;
    }
    const hiddenMs = (seenAt ?? Number.POSITIVE_INFINITY) - writtenAt;
    process.stderr.write(`[coherence] another client's write was hidden for ${hiddenMs / 1000} s\n`);
    expect(hiddenMs).toBeLessThanOrEqual(5 * 60_000 + 5_000);
  });

  it("treats a future deletion_time (delete_version_after) as a live version", async () => {
    await createConfig("ttl", "lives");
    await vaultApi(
      services().vaultAddr,
      services().vaultToken,
      "POST",
      `secret/metadata/${ns.environment}/${ns.service_name}/ttl`,
      { delete_version_after: "1h" },
    );
    await vaultWrite("ttl", { value: "still-lives", is_encrypted: false });
    expect((await getConfig("ttl", { "cache-control": "no-cache" })).body.value).toBe("still-lives");
    const listed = await invoke(list, ctx, httpEvent({ path: "/api/v1/config", query: { ...ns, limit: "500" } }));
    expect((listed.body.items as Array<{ key: string }>).map((i) => i.key)).toContain("ttl");
    expect((await putConfig("ttl", { value: "updated" })).status).toBe(200);
    expect((await createConfig("ttl", "overwritten?")).status).toBe(409);
    const history = await invoke(
      versions,
      ctx,
      httpEvent({ path: path("ttl", "/versions"), query: ns, pathParams: { key: "ttl" } }),
    );
    const v = (
      history.body.versions as Array<{ deleted: boolean; deletion_time: string | null; created_at: string }>
    )[0];
    expect(v?.deleted).toBe(false);
    expect(v?.deletion_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(v?.created_at).toMatch(/\.\d{3}Z$/);
  });

  it("reads what the bao CLI writes: is_encrypted=false|true arrive as strings; any other flag is another shape", async () => {
    // Arrange: the real CLI, as a team writes beside us (`bao kv put` sends every field as a string).
    const bao = await resolveVaultBinary();
    const cliPut = (key: string, ...fields: string[]) =>
      execFileAsync(bao, ["kv", "put", "-mount=secret", `${ns.environment}/${ns.service_name}/${key}`, ...fields], {
        env: { ...process.env, VAULT_ADDR: services().vaultAddr, VAULT_TOKEN: services().vaultToken },
      });
    const secret = secretValue("cli");
    await cliPut("cli-plain", "value=postgres://db:5432", "is_encrypted=false");
    await cliPut("cli-secret", `value=${secret}`, "is_encrypted=true");
    await cliPut("cli-other", "value=x", "is_encrypted=yes");
    // Act
    const plain = await getConfig("cli-plain");
    const sensitive = await getConfig("cli-secret");
    const other = await getConfig("cli-other");
    // Assert
    expect(plain.body).toMatchObject({ value: "postgres://db:5432", is_encrypted: false });
    expect(sensitive.body).toMatchObject({ value: secret, is_encrypted: true });
    expect(other.body.is_encrypted).toBe(true);
    expect(JSON.parse(String(other.body.value))).toEqual({ value: "x", is_encrypted: "yes" });
    const cachedValues = (await tableItems())
      .filter((i) => String(i.sk).startsWith(`config:${ns.environment}/${ns.service_name}/cli-`) && !i.tombstone)
      .map((i) => String(i.sk).split("/").pop());
    expect(cachedValues).toEqual(["cli-plain"]);
    // A PUT over the CLI's data keeps its sensitivity and writes our shape (a boolean flag).
    expect((await putConfig("cli-secret", { value: `${secret}-2` })).status).toBe(200);
    expect(await vaultValue("cli-secret")).toMatchObject({ value: `${secret}-2`, is_encrypted: true });
  });

  it("keeps another client's shape: PUT over it is 409 foreign_shape unless ?replace=true; rollback copies it exactly", async () => {
    const theirs = { username: "svc", password: secretValue("foreign") };
    await vaultWrite("foreign", theirs);
    const read = await getConfig("foreign");
    expect(read.body).toMatchObject({ is_encrypted: true, version: 1 });
    const refused = await putConfig("foreign", { value: "x" });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe("foreign_shape");
    expect(await vaultValue("foreign")).toEqual(theirs);
    expect((await putConfig("foreign", { value: "ours-now" }, {}, ctx, { replace: "true" })).status).toBe(200);
    const back = await invoke(
      rollback,
      ctx,
      httpEvent({
        method: "POST",
        path: path("foreign", "/rollback"),
        query: ns,
        pathParams: { key: "foreign" },
        body: JSON.stringify({ version: 1 }),
      }),
    );
    expect(back.status).toBe(200);
    expect(await vaultValue("foreign")).toEqual(theirs);
  });
});

describe("changes made by the plane", () => {
  it("rotating a plain config makes it sensitive: no generated value in DynamoDB, events or the answer", async () => {
    await createConfig("rotated", "plain-before");
    await getConfig("rotated");
    events.length = 0;
    const res = await invoke(
      rotate,
      ctx,
      httpEvent({ method: "POST", path: path("rotated", "/rotate"), query: ns, pathParams: { key: "rotated" } }),
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ is_encrypted: true, made_sensitive: true, version: 2 });
    const generated = (await vaultValue("rotated")).value as string;
    registerSecret(generated);
    expect(JSON.stringify(res.body)).not.toContain(generated);
    expect(JSON.stringify(await tableItems())).not.toContain(generated);
    expect(JSON.stringify(events)).not.toContain(generated);
    expect(events.find((e) => e.type === "config.rotated")?.detail).toMatchObject({ is_encrypted: true });
    expect((await getConfig("rotated")).body).toMatchObject({ value: generated, is_encrypted: true });
  });

  it("a restore moves the cache forward: the restored value is served, a sensitive one is not cached", async () => {
    const rns = { environment: "coh", service_name: `restore-${randomBytes(3).toString("hex")}` };
    const at = (key: string) => ({ path: path(key), query: rns, pathParams: { key } });
    const read = async (key: string, context = ctx) => (await invoke(get, context, httpEvent(at(key)))).body;
    const put = (key: string, body: Record<string, unknown>) =>
      invoke(update, ctx, httpEvent({ ...at(key), method: "PUT", body: JSON.stringify(body) }));
    const secret = secretValue("restored");
    for (const [key, value, isEncrypted] of [
      ["plain", "snapshot-time", false],
      ["secret", secret, true],
    ] as const)
      await invoke(create, ctx, createEvent({ key, value, ...rns, is_encrypted: isEncrypted }));
    const actor = { name: "test" };
    const manifest = await ctx.snapshots.create(
      { type: "full", prefix: `${rns.environment}/${rns.service_name}` },
      actor,
    );
    expect(manifest.path_count).toBe(2);
    await put("plain", { value: "after-snapshot" });
    await put("secret", { value: "now-plain", is_encrypted: false });
    expect((await read("plain")).value).toBe("after-snapshot");
    expect((await read("secret")).value).toBe("now-plain");
    const plan = await ctx.snapshots.restore(manifest.id, { dryRun: true }, actor);
    const done = await ctx.snapshots.restore(manifest.id, { dryRun: false, planId: plan.plan_id }, actor);
    expect(done.summary).toMatchObject({ change: 2, conflicts: 0, failed: 0 });
    expect(await read("plain")).toMatchObject({ value: "snapshot-time", version: 3 });
    expect(await read("secret")).toMatchObject({ value: secret, is_encrypted: true });
    expect((await read("secret", contextFor(env))).value).toBe(secret);
    const item = (await tableItems()).find((i) => i.sk === `config:coh/${rns.service_name}/secret`);
    expect(item).toMatchObject({ tombstone: true, value: "", version: 3 });
  });

  it("an unconditional PUT retries its own check-and-set: 20 parallel writers all succeed, each a version", async () => {
    await createConfig("lww", "start");
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => putConfig("lww", { value: `w-${i}` }, {}, contextFor(env))),
    );
    expect(
      results.map((r) => r.status),
      JSON.stringify(results.find((r) => r.status !== 200)?.body),
    ).toEqual(Array(20).fill(200));
    expect(new Set(results.map((r) => r.body.version)).size).toBe(20);
    const last = results.reduce((a, b) => (Number(a.body.version) > Number(b.body.version) ? a : b));
    expect((await vaultValue("lww")).value).toBe(last.body.value);
  });

  it("takes updated_at from Vault, in milliseconds", async () => {
    const res = await putConfig("lww", { value: "timed" });
    const raw = await vaultApi(
      services().vaultAddr,
      services().vaultToken,
      "GET",
      `secret/data/${ns.environment}/${ns.service_name}/lww`,
    );
    const vaultTime = (raw.json.data as { metadata: { created_time: string } }).metadata.created_time;
    expect(res.body.updated_at).toBe(new Date(vaultTime).toISOString());
    expect((await getConfig("lww", { "cache-control": "no-cache" })).body.updated_at).toBe(res.body.updated_at);
  });
});

describe("outcomes when the answer is lost", () => {
  const lossy = (mode: "after-send" | "vault-gone") => {
    const real = createNodeVaultTransport({ address: env.VAULT_ADDR as string, timeoutMs: 2_000 });
    let dropped = false;
    // A short deadline: the second case waits for it.
    return contextFor(
      { ...env, VAULT_DEADLINE_MS: "1500", VAULT_REQUEST_TIMEOUT_MS: "1000" },
      {
        transport: async (request: VaultRequest) => {
          if (request.method === "POST" && request.path.includes("/data/") && !dropped) {
            dropped = true;
            await real(request); // Vault receives and applies it...
            throw new VaultConnectionError("Vault is not available", {
              details: "ECONNABORTED",
              mayHaveReachedVault: true,
            });
          }
          if (mode === "vault-gone" && dropped) {
            throw new VaultConnectionError("Vault is not available", { details: "ECONNREFUSED" });
          }
          return real(request);
        },
      },
    );
  };

  it("a create whose answer was lost after Vault applied it is 201, with its audit record and event", async () => {
    events.length = 0;
    const context = lossy("after-send");
    const res = await createConfig("lost-answer", "landed", false, context);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ version: 1, value: "landed" });
    expect((await vaultValue("lost-answer")).value).toBe("landed");
  });

  it("when Vault cannot tell in time, the answer is 504 outcome_unknown, not 503", async () => {
    const res = await createConfig("unknown-outcome", "maybe", false, lossy("vault-gone"));
    expect(res.status).toBe(504);
    expect(res.body.code).toBe("outcome_unknown");
  });
});

describe("reads audited and counted the same way everywhere", () => {
  it("a list writes one audit record and one read figure per value it returns", async () => {
    const listNs = { environment: "coh", service_name: `list-${randomBytes(3).toString("hex")}` };
    for (const key of ["a", "b", "c"])
      await invoke(
        create,
        ctx,
        httpEvent({ method: "POST", path: "/api/v1/config", body: JSON.stringify({ key, value: key, ...listNs }) }),
      );
    emf.length = 0;
    const res = await invoke(list, ctx, httpEvent({ path: "/api/v1/config", query: listNs }));
    expect(res.body).toMatchObject({ total: 3, has_more: false });
    ctx.accessMetrics.flush();
    const line = emf
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.Service === listNs.service_name);
    expect(line?.Reads).toBe(3);
    const { items } = await ctx.audit.query({ path: `coh/${listNs.service_name}/*`, operation: ["read"], limit: 50 });
    expect(items).toHaveLength(3);
  });
});

describe("figures that say what happened", () => {
  it("counts 409s and 404s as answers, sensitive reads apart from the hit rate; /health shows no error", async () => {
    const fresh = contextFor(await testEnv({ CACHE_GENERATION_CHECK_MS: "0", EMF_ENABLED: "true" }), {
      emf: (line) => emf.push(line),
    });
    await createConfig("answers", "x", false, fresh);
    await putConfig("answers", { value: "y" }, { "If-Match": '"9"' }, fresh);
    await getConfig("missing-key", {}, fresh);
    await createConfig("answers", "dup", false, fresh);
    const secret = secretValue("counted");
    await createConfig("counted", secret, true, fresh);
    const before = await invoke(metrics, fresh, httpEvent({ path: "/api/v1/vault/metrics" }));
    const misses = (before.body.cache_metrics as { misses: number }).misses;
    for (let i = 0; i < 5; i++) await getConfig("counted", {}, fresh);
    await fresh.recorder.flush();
    const after = await invoke(metrics, fresh, httpEvent({ path: "/api/v1/vault/metrics" }));
    expect((after.body.cache_metrics as { misses: number }).misses).toBe(misses);
    const prom = await invoke(
      metrics,
      fresh,
      httpEvent({ path: "/api/v1/vault/metrics", query: { format: "prometheus" } }),
    );
    expect(prom.text).toMatch(/vaultops_key_uncached_reads_total\{backend="vault"\} 5/);
    expect(prom.text).not.toMatch(/status="failure"\} [1-9]/);
    const requests = (after.body.vault_metrics as { requests: { failed: number } }).requests;
    expect(requests.failed).toBe(0);
    const h = await invoke(health, fresh, httpEvent({ path: "/api/v1/vault/health", principal: null }));
    expect((h.body.vault_health as { last_error: string; success_rate: string }).last_error).toBe("");
    expect((h.body.vault_health as { success_rate: string }).success_rate).toBe("100.00%");
    fresh.accessMetrics.flush();
    const lines = emf.map((l) => JSON.parse(l) as Record<string, number>);
    expect(lines.reduce((n, l) => n + (l.Failures ?? 0), 0)).toBe(0);
    expect(lines.reduce((n, l) => n + (l.UncachedReads ?? 0), 0)).toBeGreaterThanOrEqual(5);
  });
});
