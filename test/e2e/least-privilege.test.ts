import { createHash } from "node:crypto";
import { type RouteDefinition, type RouteId, routeList } from "@vaultops/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevRuntime } from "../support/dev-runtime";
import { registerSecret, secretValue } from "../support/harness";

/**
 * Every route x every kind of token, over HTTP against `npm run dev` with a token list in
 * API_TOKENS_JSON (the production secret's format): who may call what, and no sensitive value in any
 * answer to a token without secrets:read.
 */
type Principal =
  | "none"
  | "expired"
  | "monitor"
  | "config:read"
  | "secrets:read"
  | "config:write"
  | "admin"
  | "path-limited";

const tokens: Record<Exclude<Principal, "none">, string> = {
  expired: "lp-expired-token",
  monitor: "lp-monitor-token",
  "config:read": "lp-config-read-token",
  "secrets:read": "lp-secrets-read-token",
  "config:write": "lp-config-write-token",
  admin: "lp-admin-token",
  "path-limited": "lp-path-limited-token",
};
const sha = (t: string) => createHash("sha256").update(t).digest("hex");
const tokenList = {
  tokens: [
    { name: "expired", sha256: sha(tokens.expired), scopes: ["admin"], expires_at: "2020-01-01T00:00:00Z" },
    { name: "prometheus", sha256: sha(tokens.monitor), scopes: ["monitor"] },
    { name: "dashboard", sha256: sha(tokens["config:read"]), scopes: ["config:read"] },
    { name: "app", sha256: sha(tokens["secrets:read"]), scopes: ["secrets:read"] },
    { name: "deployer", sha256: sha(tokens["config:write"]), scopes: ["config:write"] },
    { name: "ops", sha256: sha(tokens.admin), scopes: ["admin"] },
    {
      name: "payments-team",
      sha256: sha(tokens["path-limited"]),
      scopes: ["secrets:read", "config:write"],
      paths: ["e2e/pay/*"],
    },
  ],
};

let stack: Awaited<ReturnType<typeof startDevRuntime>>;
const secret = secretValue("lp-secret");
let snapshotId = "";

const call = async (
  principal: Principal,
  method: string,
  path: string,
  options: { query?: Record<string, string>; body?: unknown } = {},
) => {
  const url = new URL(`${stack.facts.apiUrl}${path}`);
  for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, v);
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (principal !== "none") headers.authorization = `Bearer ${tokens[principal]}`;
  const res = await fetch(url, {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await res.text();
  return { status: res.status, text, json: (text.startsWith("{") ? JSON.parse(text) : {}) as Record<string, unknown> };
};

const pay = { environment: "e2e", service_name: "pay" };
/** A valid request for every route, inside the path-limited token's paths. */
const requests: Record<RouteId, () => { path: string; query?: Record<string, string>; body?: unknown }> = {
  vaultHealth: () => ({ path: "/api/v1/vault/health" }),
  vaultMetrics: () => ({ path: "/api/v1/vault/metrics" }),
  vaultStatus: () => ({ path: "/api/v1/vault/status" }),
  vaultCacheClear: () => ({ path: "/api/v1/vault/cache/clear" }),
  vaultTokenRenew: () => ({ path: "/api/v1/vault/token/renew" }),
  configCreate: () => ({
    path: "/api/v1/config",
    body: { key: `new-${Math.random().toString(36).slice(2, 8)}`, value: "v", ...pay },
  }),
  configList: () => ({ path: "/api/v1/config", query: pay }),
  configStatus: () => ({ path: "/api/v1/config/status" }),
  configCopy: () => ({ path: "/api/v1/config/copy", body: { ...pay, from: "vault", to: "aws" } }),
  configGet: () => ({ path: "/api/v1/config/db_host", query: pay }),
  configUpdate: () => ({ path: "/api/v1/config/db_host", query: pay, body: { value: "db.internal" } }),
  configDelete: () => ({ path: "/api/v1/config/never-created", query: pay }),
  configVersions: () => ({ path: "/api/v1/config/db_host/versions", query: pay }),
  configRollback: () => ({ path: "/api/v1/config/db_host/rollback", query: pay, body: { version: 1 } }),
  configRotationPut: () => ({ path: "/api/v1/config/rot/rotation", query: pay, body: { interval_days: 30 } }),
  configRotationGet: () => ({ path: "/api/v1/config/rot/rotation", query: pay }),
  configRotationDelete: () => ({ path: "/api/v1/config/no-policy/rotation", query: pay }),
  configRotate: () => ({ path: "/api/v1/config/rot/rotate", query: pay }),
  configRotationHistory: () => ({ path: "/api/v1/config/rot/rotation/history", query: pay }),
  rotationStatus: () => ({ path: "/api/v1/rotation/status" }),
  snapshotCreate: () => ({ path: "/api/v1/vault/snapshots", body: { type: "full", prefix: "e2e/pay" } }),
  snapshotList: () => ({ path: "/api/v1/vault/snapshots" }),
  snapshotGet: () => ({ path: `/api/v1/vault/snapshots/${snapshotId}` }),
  snapshotVerify: () => ({ path: `/api/v1/vault/snapshots/${snapshotId}/verify` }),
  snapshotRestore: () => ({ path: `/api/v1/vault/snapshots/${snapshotId}/restore` }),
  snapshotDelete: () => ({ path: "/api/v1/vault/snapshots/snap-20200101T000000Z-000000" }),
  auditQuery: () => ({ path: "/api/v1/audit" }),
  auditSummary: () => ({ path: "/api/v1/audit/summary" }),
  auditAnomalies: () => ({ path: "/api/v1/audit/anomalies" }),
  incidentList: () => ({ path: "/api/v1/incidents" }),
  tokenSelf: () => ({ path: "/api/v1/auth/token" }),
  openApi: () => ({ path: "/api/v1/openapi.json" }),
};

const granted: Record<Exclude<Principal, "none" | "expired">, string[]> = {
  monitor: ["monitor"],
  "config:read": ["config:read"],
  "secrets:read": ["config:read"],
  "config:write": ["config:write"],
  admin: ["monitor", "config:read", "config:write", "admin"],
  "path-limited": ["config:read", "config:write"],
};

/** The status class the table expects: 401, 403, or allowed (anything else). */
function expected(route: RouteDefinition, principal: Principal): 401 | 403 | "allowed" {
  if (route.scope === "public") return "allowed";
  if (principal === "none" || principal === "expired") return 401;
  if (route.scope === "token") return "allowed";
  if (!granted[principal].includes(route.scope)) return 403;
  if (principal === "path-limited" && route.paths !== "config") return 403;
  return "allowed";
}

const principals: Principal[] = [
  "none",
  "expired",
  "monitor",
  "config:read",
  "secrets:read",
  "config:write",
  "admin",
  "path-limited",
];
const withoutSecrets = new Set<Principal>(["none", "expired", "monitor", "config:read", "config:write"]);
const answersWithoutSecrets: string[] = [];

beforeAll(async () => {
  stack = await startDevRuntime({
    API_TOKENS_JSON: JSON.stringify(tokenList),
    // Every refusal's counters go out at once, so each route's flush is seen by the call recorder.
    COUNTER_FLUSH_MS: "0",
  });
  for (const t of Object.values(tokens)) registerSecret(t);
  const admin = (method: string, path: string, body?: unknown, query?: Record<string, string>) =>
    call("admin", method, path, { body, ...(query ? { query } : {}) });
  await admin("POST", "/api/v1/config", { key: "db_host", value: "db.internal", ...pay });
  await admin("POST", "/api/v1/config", { key: "db_password", value: secret, ...pay, is_encrypted: true });
  await admin("POST", "/api/v1/config", { key: "rot", value: "r", ...pay });
  await admin("POST", "/api/v1/config", { key: "x", value: "outside", environment: "e2e", service_name: "other" });
  snapshotId = String((await admin("POST", "/api/v1/vault/snapshots", { type: "full", prefix: "e2e/pay" })).json.id);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe("every route x every token", () => {
  const cases = routeList.flatMap((route) => principals.map((principal) => ({ route, principal })));
  it.each(cases)("$route.method $route.path as $principal", async ({ route, principal }) => {
    const request = requests[route.id]();
    const res = await call(principal, route.method, request.path, request);
    const want = expected(route, principal);
    if (want === "allowed") expect([401, 403], `${res.status} ${res.text.slice(0, 200)}`).not.toContain(res.status);
    else expect(res.status, res.text.slice(0, 200)).toBe(want);
    expect(res.text).not.toContain(tokens[principal as keyof typeof tokens] ?? "\u0000");
    if (withoutSecrets.has(principal)) answersWithoutSecrets.push(res.text);
  });
});

describe("sensitive values need secrets:read", () => {
  it("GET of a sensitive config is 403 secrets_scope_required without it, the value with it", async () => {
    const ask = (p: Principal) => call(p, "GET", "/api/v1/config/db_password", { query: pay });
    for (const p of ["monitor", "config:read", "config:write"] as const) {
      const res = await ask(p);
      expect(res.status, p).toBe(403);
      if (p === "config:read") expect(res.json.code).toBe("secrets_scope_required");
      answersWithoutSecrets.push(res.text);
    }
    expect((await ask("secrets:read")).json.value).toBe(secret);
    expect((await ask("path-limited")).json.value).toBe(secret);
  });

  it("a list carries the hash prefix in place of a sensitive value (value null) without it", async () => {
    const masked = await call("config:read", "GET", "/api/v1/config", { query: pay });
    answersWithoutSecrets.push(masked.text);
    const item = (masked.json.items as Array<Record<string, unknown>>).find((i) => i.key === "db_password");
    expect(item).toMatchObject({
      value: null,
      is_encrypted: true,
      value_sha256_prefix: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
    const plain = (masked.json.items as Array<Record<string, unknown>>).find((i) => i.key === "db_host");
    expect(plain?.value).toBe("db.internal");
    const shown = await call("secrets:read", "GET", "/api/v1/config", { query: pay });
    expect(JSON.stringify(shown.json)).toContain(secret);
  });

  it("the monitor token Prometheus uses scrapes metrics and cannot read a single config value", async () => {
    const scrape = await call("monitor", "GET", "/api/v1/vault/metrics", { query: { format: "prometheus" } });
    expect(scrape.status).toBe(200);
    expect(scrape.text).toMatch(/^# HELP vaultops_/m);
    expect((await call("monitor", "GET", "/api/v1/config/db_host", { query: pay })).status).toBe(403);
    expect((await call("monitor", "GET", "/api/v1/config", { query: pay })).status).toBe(403);
  });

  it("no answer to a token without secrets:read holds a sensitive value", () => {
    expect(answersWithoutSecrets.length).toBeGreaterThan(100);
    expect(answersWithoutSecrets.filter((text) => text.includes(secret))).toEqual([]);
  });
});

describe("path limits", () => {
  it("refuses config paths outside the token's patterns (403), and lists only what it may see", async () => {
    const outside = await call("path-limited", "GET", "/api/v1/config/x", {
      query: { environment: "e2e", service_name: "other" },
    });
    expect(outside.status).toBe(403);
    expect(outside.text).not.toContain("outside");
    expect(
      (
        await call("path-limited", "PUT", "/api/v1/config/x", {
          query: { environment: "e2e", service_name: "other" },
          body: { value: "taken over" },
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await call("path-limited", "POST", "/api/v1/config", {
          body: { key: "planted", value: "v", environment: "e2e", service_name: "other" },
        })
      ).status,
    ).toBe(403);
    expect(
      (await call("path-limited", "GET", "/api/v1/config", { query: { environment: "e2e", service_name: "other" } }))
        .status,
    ).toBe(403);
    const check = await call("admin", "GET", "/api/v1/config/x", {
      query: { environment: "e2e", service_name: "other" },
    });
    expect(check.json.value).toBe("outside");
  });
});

describe("names, expiry and the audit trail", () => {
  it("audits denied and unauthenticated attempts under the token's name, never the token", async () => {
    const audit = await call("admin", "GET", "/api/v1/audit", {
      query: { operation: "denied,authenticate", limit: "500" },
    });
    const records = audit.json.items as Array<{ actor: string; operation: string; path: string; error: string }>;
    expect(records.some((r) => r.actor === "prometheus" && r.operation === "denied")).toBe(true);
    expect(records.some((r) => r.actor === "payments-team" && r.path === "e2e/other/x")).toBe(true);
    expect(records.some((r) => r.actor === "expired" && r.operation === "authenticate")).toBe(true);
    expect(records.some((r) => r.error === "secrets_scope_required" && r.actor === "dashboard")).toBe(true);
    for (const t of Object.values(tokens)) expect(audit.text).not.toContain(t);
    const metrics = await call("admin", "GET", "/api/v1/vault/metrics", { query: { format: "prometheus" } });
    expect(metrics.text).toMatch(/vaultops_api_denied_total [1-9]/);
    expect(metrics.text).toMatch(/vaultops_authentication_failures_total\{source="api"\} [1-9]/);
  });

  it("says what a token may do (GET /api/v1/auth/token)", async () => {
    const res = await call("path-limited", "GET", "/api/v1/auth/token");
    expect(res.json).toMatchObject({
      name: "payments-team",
      paths: ["e2e/pay/*"],
      sensitive_values: true,
      scopes: ["config:read", "secrets:read", "config:write"],
    });
    const routes = res.json.routes as Array<{ path: string; method: string; allowed: boolean }>;
    expect(routes.find((r) => r.path === "/api/v1/vault/metrics")?.allowed).toBe(false);
    expect(routes.find((r) => r.path === "/api/v1/config/{key}" && r.method === "PUT")?.allowed).toBe(true);
  });
});
