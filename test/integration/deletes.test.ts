import { randomBytes } from "node:crypto";
import type { DomainEvent, VaultopsContext } from "@vaultops/core";
import { beforeAll, describe, expect, it } from "vitest";
import { createHandler as create } from "../../functions/config/create";
import { createHandler as remove } from "../../functions/config/delete";
import { createHandler as versions } from "../../functions/config/versions";
import { contextFor, createEvent, httpEvent, invoke, testEnv } from "../support/harness";

/**
 * Deletes are check-and-set on both backends: of concurrent deletes of one version exactly one
 * happens (one 200, one audit record, one event), the others are refused (409, or 404 once it is
 * gone), never a 500; a purge after a soft delete destroys the history.
 */
let ctx: VaultopsContext;
const events: DomainEvent[] = [];

beforeAll(async () => {
  const env = await testEnv({
    CONFIG_BACKENDS: "del-aws/*=aws,*=vault",
    AWS_SECRETS_PREFIX: `vaultops-del-${randomBytes(3).toString("hex")}`,
    VAULT_DEADLINE_MS: "8000",
  });
  ctx = contextFor(env, { events: { publish: async (e) => void events.push(e) } });
  await ctx.backends.byName("aws").check?.();
});

describe.each(["vault", "aws"] as const)("deletes on %s", (backend) => {
  const ns = {
    environment: backend === "aws" ? "del-aws" : "del",
    service_name: `svc-${randomBytes(3).toString("hex")}`,
  };
  const del = (key: string, headers: Record<string, string> = {}, query: Record<string, string> = {}) =>
    invoke(
      remove,
      ctx,
      httpEvent({
        method: "DELETE",
        path: `/api/v1/config/${key}`,
        query: { ...ns, ...query },
        pathParams: { key },
        headers,
      }),
    );
  const created = async (key: string) =>
    expect((await invoke(create, ctx, createEvent({ key, value: "v", ...ns }))).status).toBe(201);
  const audited = async (key: string) =>
    (await ctx.audit.query({ from: Date.now() - 120_000, limit: 1_000 })).items.filter(
      (r) => r.operation === "delete" && r.path === `${ns.environment}/${ns.service_name}/${key}` && r.success,
    );

  it.each([
    ["with the same If-Match", { "if-match": '"1"' }],
    ["without If-Match", {}],
  ] as const)("lets one of six concurrent deletes %s happen, and refuses the others", async (_label, headers) => {
    const key = `race-${Object.keys(headers).length}`;
    await created(key);
    const answers = await Promise.all(Array.from({ length: 6 }, () => del(key, headers)));
    const statuses = answers.map((a) => a.status).sort();
    expect(
      statuses.filter((s) => s === 200),
      JSON.stringify(answers.map((a) => a.body)),
    ).toHaveLength(1);
    for (const s of statuses.filter((s) => s !== 200)) expect([404, 409]).toContain(s);
    expect(await audited(key)).toHaveLength(1);
    expect(
      events.filter(
        (e) => e.type === "config.deleted" && e.detail.key === key && e.detail.service_name === ns.service_name,
      ),
    ).toHaveLength(1);
  });

  it("purges a key whose current version is already deleted: its history goes", async () => {
    await created("purge-me");
    expect((await del("purge-me")).status).toBe(200);
    const purged = await del("purge-me", {}, { purge: "true" });
    expect(purged.status, JSON.stringify(purged.body)).toBe(200);
    expect(purged.body).toMatchObject({ purged: true });
    const history = await invoke(
      versions,
      ctx,
      httpEvent({ path: "/api/v1/config/purge-me/versions", query: ns, pathParams: { key: "purge-me" } }),
    );
    expect(history.status).toBe(404);
    expect((await del("purge-me", {}, { purge: "true" })).status).toBe(404);
  });
});
