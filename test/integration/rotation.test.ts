import { randomBytes } from "node:crypto";
import type { VaultopsContext, VaultRequest } from "@vaultops/core";
import { createNodeVaultTransport } from "@vaultops/core";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { createHandler as getConfig } from "../../functions/config/get";
import { createHandler as rotationJob } from "../../functions/jobs/rotation";
import { createHandler as getPolicy } from "../../functions/rotation/get-policy";
import { createHandler as history } from "../../functions/rotation/history";
import { createHandler as putPolicy } from "../../functions/rotation/put-policy";
import { createHandler as rotate } from "../../functions/rotation/rotate";
import { createHandler as rotationStatus } from "../../functions/rotation/status";
import { scheduledEvent } from "../support/events";
import { contextFor, httpEvent, invoke, registerSecret, testEnv, vaultApi } from "../support/harness";

/** Scheduled and manual rotation against real Vault, with a simulated clock for due dates. */
const DAY = 86_400_000;
let now = Date.now();
const clock = { now: () => now };
let env: Record<string, string>;
let ctx: VaultopsContext;
const ns = { environment: "rot", service_name: `svc-${randomBytes(3).toString("hex")}` };
const actor = { name: "test" };

const call = (
  handler: Parameters<typeof invoke>[0],
  key: string,
  method = "GET",
  body?: unknown,
  suffix = "",
  context = ctx,
) => {
  const event = httpEvent({
    method,
    path: `/api/v1/config/${key}${suffix}`,
    query: ns,
    pathParams: { key },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return invoke(handler, context, event);
};
const seed = (key: string, value: string) => ctx.config.create({ key, value, ...ns, is_encrypted: true }, actor);
const vaultValue = async (key: string, version?: number) => {
  const { vaultAddr, vaultToken } = inject("services");
  const res = await vaultApi(
    vaultAddr,
    vaultToken,
    "GET",
    `secret/data/${ns.environment}/${ns.service_name}/${key}${version ? `?version=${version}` : ""}`,
  );
  return res.status === 200 ? ((res.json.data as { data: { value: string } }).data.value as string) : undefined;
};

beforeAll(async () => {
  env = await testEnv({ CACHE_MEMORY_TTL_SECONDS: "0" });
  ctx = contextFor(env, { clock });
});

describe("rotation policies", () => {
  it("saves a policy and shows its status; refuses bad input and unknown secrets", async () => {
    await seed("p1", "original");
    const saved = await call(
      putPolicy,
      "p1",
      "PUT",
      { interval_days: 30, grace_period_hours: 12, generator: { name: "hex64" } },
      "/rotation",
    );
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({
      interval_days: 30,
      grace_period_hours: 12,
      auto_rotate: true,
      generator: { name: "hex64" },
    });
    expect((saved.body.status as { due: boolean }).due).toBe(false);
    const read = await call(getPolicy, "p1", "GET", undefined, "/rotation");
    expect(Date.parse((read.body.status as { next_due_at: string }).next_due_at) - now).toBe(30 * DAY);
    expect((await call(putPolicy, "p1", "PUT", { interval_days: 0 }, "/rotation")).status).toBe(400);
    expect(
      (await call(putPolicy, "p1", "PUT", { interval_days: 1, generator: { length: 4 } }, "/rotation")).status,
    ).toBe(400);
    expect((await call(putPolicy, "nope", "PUT", { interval_days: 1 }, "/rotation")).status).toBe(404);
    expect((await call(getPolicy, "nope", "GET", undefined, "/rotation")).status).toBe(404);
  });
});

describe("the hourly rotation job", () => {
  it("rotates only the due secrets and keeps the previous version readable through the grace period", async () => {
    await seed("due", "due-v1");
    await seed("later", "later-v1");
    await ctx.rotation.putPolicy(
      { ...ns, key: "due" },
      {
        interval_days: 1,
        grace_period_hours: 12,
        auto_rotate: true,
        generator: { length: 40, classes: ["lower", "digits"] },
      },
      actor,
    );
    await ctx.rotation.putPolicy(
      { ...ns, key: "later" },
      { interval_days: 30, grace_period_hours: 24, auto_rotate: true, generator: { name: "uuid" } },
      actor,
    );
    now += 2 * DAY;
    const summary = await rotationJob(() => ctx)(scheduledEvent() as never);
    expect(summary).toMatchObject({ rotated: 1, failed: 0 });
    const rotated = await vaultValue("due");
    registerSecret(rotated as string);
    expect(rotated).toMatch(/^[a-z0-9]{40}$/);
    expect(await vaultValue("due", 1)).toBe("due-v1");
    expect(await vaultValue("later")).toBe("later-v1");
    const policy = await ctx.rotation.getPolicy({ ...ns, key: "due" });
    expect(policy.status).toMatchObject({ last_version: 2, previous_version: 1, last_outcome: "success", due: false });

    // Past the grace period the next run makes the previous version unreadable.
    now += 13 * 3_600_000;
    const second = await rotationJob(() => ctx)(scheduledEvent() as never);
    expect(second).toMatchObject({ retired: 1, rotated: 0 });
    expect(await vaultValue("due", 1)).toBeUndefined();
    expect(await vaultValue("due")).toBe(rotated);
  });

  it("records a failure, shows it overdue, and retries on the next run", async () => {
    await seed("flaky", "v1");
    await ctx.rotation.putPolicy(
      { ...ns, key: "flaky" },
      { interval_days: 1, grace_period_hours: 1, auto_rotate: true, generator: { name: "alnum32" } },
      actor,
    );
    const { vaultAddr, vaultToken } = inject("services");
    await vaultApi(vaultAddr, vaultToken, "DELETE", `secret/data/${ns.environment}/${ns.service_name}/flaky`);
    now += 2 * DAY;
    await expect(ctx.rotation.rotate({ ...ns, key: "flaky" }, actor, "schedule")).rejects.toThrow(/not found/);
    const failed = await ctx.rotation.getPolicy({ ...ns, key: "flaky" });
    expect(failed.status).toMatchObject({ last_outcome: "failed", consecutive_failures: 1, due: true, overdue: true });
    const status = await invoke(rotationStatus, ctx, httpEvent({ path: "/api/v1/rotation/status" }));
    const first = (status.body.policies as Array<{ key: string; status: { overdue: boolean } }>)[0];
    expect(first?.status.overdue).toBe(true);
    // The secret comes back; the next run rotates it.
    await vaultApi(vaultAddr, vaultToken, "POST", `secret/data/${ns.environment}/${ns.service_name}/flaky`, {
      data: { value: "v-restored", is_encrypted: true },
    });
    await rotationJob(() => ctx)(scheduledEvent() as never);
    expect((await ctx.rotation.getPolicy({ ...ns, key: "flaky" })).status).toMatchObject({
      last_outcome: "success",
      consecutive_failures: 0,
    });
  });

  it("never overwrites a write that lands between its read and its write", async () => {
    await seed("contended", "v1");
    const { vaultAddr, vaultToken } = inject("services");
    const real = createNodeVaultTransport({ address: env.VAULT_ADDR as string, timeoutMs: 2_000 });
    let injected = false;
    const racing = contextFor(env, {
      clock,
      transport: async (request: VaultRequest) => {
        const result = await real(request);
        if (!injected && request.method === "GET" && request.path.endsWith("/contended")) {
          injected = true;
          await vaultApi(vaultAddr, vaultToken, "POST", `secret/data/${ns.environment}/${ns.service_name}/contended`, {
            data: { value: "concurrent-writer", is_encrypted: true },
          });
        }
        return result;
      },
    });
    const res = await call(rotate, "contended", "POST", undefined, "/rotate", racing);
    expect(res.status).toBe(409);
    expect(await vaultValue("contended")).toBe("concurrent-writer");
  });
});

describe("manual rotation", () => {
  it("answers the new version without the value, and lists it in the history", async () => {
    await seed("manual", "m1");
    await ctx.rotation.putPolicy(
      { ...ns, key: "manual" },
      { interval_days: 90, grace_period_hours: 24, auto_rotate: false, generator: { name: "base64url32" } },
      actor,
    );
    const res = await call(rotate, "manual", "POST", undefined, "/rotate");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ message: "Secret rotated", version: 2, previous_version: 1 });
    const value = await vaultValue("manual");
    expect(JSON.stringify(res.body)).not.toContain(value as string);
    const read = await call(getConfig, "manual");
    expect(read.body.value).toBe(value);
    const hist = await call(history, "manual", "GET", undefined, "/rotation/history");
    expect((hist.body.history as Array<{ outcome: string; trigger: string; version: number }>)[0]).toMatchObject({
      outcome: "success",
      trigger: "manual",
      version: 2,
    });
  });
});
