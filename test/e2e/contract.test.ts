import { routeList } from "@vaultops/api";
import Ajv2020 from "ajv/dist/2020";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevRuntime } from "../support/dev-runtime";

/**
 * The OpenAPI document covers every route of the table, and every endpoint's real responses (on the
 * local runtime, over HTTP) validate against the schema the document gives for their status.
 */
let stack: Awaited<ReturnType<typeof startDevRuntime>>;
let doc: {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>>;
};
const ajv = new Ajv2020({ strict: false, allErrors: true });
const seen = new Set<string>();

beforeAll(async () => {
  // One scope served by Secrets Manager (moto's), so that every route answers its success.
  stack = await startDevRuntime({ VAULTOPS_DEV_MOTO: "1", CONFIG_BACKENDS: "contract-aws/*=aws,*=vault" });
  doc = (await (await fetch(`${stack.facts.apiUrl}/api/v1/openapi.json`)).json()) as typeof doc;
  ajv.addSchema(doc, "openapi");
}, 120_000);
afterAll(async () => {
  await stack?.stop();
});

const pointer = (...parts: string[]) =>
  parts.map((p) => encodeURIComponent(p.replace(/~/g, "~0").replace(/\//g, "~1"))).join("/");

/** Calls one operation and validates its response against the document. */
async function check(
  method: string,
  template: string,
  options: { path?: string; query?: Record<string, string>; body?: unknown; token?: string } = {},
) {
  const url = new URL(`${stack.facts.apiUrl}${options.path ?? template}`);
  for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, v);
  const res = await fetch(url, {
    method,
    headers: {
      authorization: `Bearer ${options.token ?? stack.facts.apiToken}`,
      ...(options.body !== undefined ? { "content-type": "application/json" } : {}),
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const operation = doc.paths[template]?.[method.toLowerCase()];
  expect(operation, `${method} ${template} is documented`).toBeDefined();
  const status = String(res.status);
  const response = operation?.responses[status];
  expect(response, `${method} ${template} documents status ${status}`).toBeDefined();
  const body = await res.json();
  const validate = ajv.getSchema(
    `openapi#/${pointer("paths", template, method.toLowerCase(), "responses", status, "content", "application/json", "schema")}`,
  );
  expect(validate, "schema found").toBeDefined();
  const valid = validate?.(body);
  expect(
    valid,
    `${method} ${template} ${status}: ${JSON.stringify(validate?.errors)}\n${JSON.stringify(body).slice(0, 500)}`,
  ).toBe(true);
  seen.add(`${method} ${template}`);
  return { status: res.status, body: body as Record<string, unknown> };
}

describe("the OpenAPI document", () => {
  it("lists every route of the table with its method, scope and security", () => {
    for (const route of routeList) {
      const op = doc.paths[route.path]?.[route.method.toLowerCase()] as unknown as Record<string, unknown>;
      expect(op, `${route.method} ${route.path}`).toBeDefined();
      expect(op["x-vaultops-scope"]).toBe(route.scope);
      expect(op.security).toEqual(route.scope === "public" ? [] : [{ bearerAuth: [] }]);
    }
    expect((doc as unknown as { openapi: string }).openapi).toBe("3.1.0");
  });

  it("describes the real responses of every endpoint", async () => {
    const scope = { environment: "contract", service_name: "svc" };
    const key = "/api/v1/config/{key}";
    const k = (suffix = "") => ({ path: `/api/v1/config/db${suffix}`, query: scope });
    await check("GET", "/api/v1/vault/health");
    await check("GET", "/api/v1/vault/metrics");
    await check("GET", "/api/v1/vault/status");
    await check("POST", "/api/v1/vault/cache/clear");
    expect((await check("POST", "/api/v1/vault/token/renew")).status).toBe(400);
    expect((await check("POST", "/api/v1/config", { body: { key: "db", value: "one", ...scope } })).status).toBe(201);
    await check("GET", "/api/v1/config", { query: scope });
    await check("GET", "/api/v1/config/status");
    await check("GET", key, k());
    await check("PUT", key, { ...k(), body: { value: "two" } });
    expect((await check("PUT", key, { ...k(), body: { value: "stale", expected_version: 1 } })).status).toBe(409);
    expect((await check("GET", key, { path: "/api/v1/config/missing", query: scope })).status).toBe(404);
    expect((await check("POST", "/api/v1/config", { body: { key: "../x", value: "v", ...scope } })).status).toBe(400);
    expect(
      (
        await check("POST", "/api/v1/config", {
          token: stack.facts.apiReadToken,
          body: { key: "x", value: "v", ...scope },
        })
      ).status,
    ).toBe(403);
    expect((await check("GET", "/api/v1/vault/status", { token: "nope" })).status).toBe(401);
    await check("GET", `${key}/versions`, k("/versions"));
    await check("POST", `${key}/rollback`, { ...k("/rollback"), body: { version: 1 } });
    await check("PUT", `${key}/rotation`, { ...k("/rotation"), body: { interval_days: 30 } });
    await check("GET", `${key}/rotation`, k("/rotation"));
    await check("POST", `${key}/rotate`, k("/rotate"));
    await check("GET", `${key}/rotation/history`, k("/rotation/history"));
    await check("GET", "/api/v1/rotation/status");
    await check("DELETE", `${key}/rotation`, k("/rotation"));
    const snap = await check("POST", "/api/v1/vault/snapshots", { body: { prefix: "contract" } });
    const id = String(snap.body.id);
    const s = (suffix = "") => ({ path: `/api/v1/vault/snapshots/${id}${suffix}` });
    await check("GET", "/api/v1/vault/snapshots");
    await check("GET", "/api/v1/vault/snapshots/{id}", s());
    await check("POST", "/api/v1/vault/snapshots/{id}/verify", s("/verify"));
    await check("POST", "/api/v1/vault/snapshots/{id}/restore", s("/restore"));
    await check("DELETE", "/api/v1/vault/snapshots/{id}", s());
    await check("GET", "/api/v1/audit");
    await check("GET", "/api/v1/audit/summary");
    await check("GET", "/api/v1/audit/anomalies");
    await check("GET", "/api/v1/incidents");
    await check("GET", "/api/v1/openapi.json");
    await check("GET", "/api/v1/auth/token");
    await check("POST", "/api/v1/config/copy", { body: { ...scope, from: "vault", to: "aws" } });
    await check("DELETE", key, k());
    const missing = routeList.map((r) => `${r.method} ${r.path}`).filter((r) => !seen.has(r));
    expect(missing).toEqual([]);
  });
});
