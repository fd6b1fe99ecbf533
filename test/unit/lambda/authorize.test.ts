import { routes } from "@vaultops/api";
import {
  type ApiPrincipal,
  type ConfigRecord,
  expandScopes,
  type Scope,
  SecretsScopeRequiredError,
  shortHash,
  VaultPermissionError,
} from "@vaultops/core";
import { type AccessTarget, authorize, httpRoute, principalFrom, type RouteSpec } from "@vaultops/lambda";
import { describe, expect, it } from "vitest";
import { canonicalHttpEvent } from "../../support/events";
import { fakeEdgeContext } from "../support/edge-context";

/**
 * authorize(), the plane's one authorization decision, as a table: each token scope on each kind of
 * route, path limits, expiry, sensitive values and their masking; then the refusals it (or a route,
 * or Vault) raises, audited and counted by the route's middleware.
 */

const NOW = Date.parse("2026-06-01T00:00:00Z");
const token = (scopes: string[], extra: Partial<ApiPrincipal> = {}): ApiPrincipal => ({
  name: `t-${scopes.join("+")}`,
  scopes: expandScopes(scopes),
  ...extra,
});
/** What authorize() answered: "ok", or the refusal's status and error code. */
const outcome = (run: () => unknown): string => {
  try {
    run();
    return "ok";
  } catch (error) {
    const e = error as { status?: number; code?: string };
    return `${e.status} ${e.code}`;
  }
};

const kinds = {
  public: routes.vaultHealth,
  token: routes.tokenSelf,
  monitor: routes.vaultMetrics,
  configRead: routes.configGet,
  configWrite: routes.configUpdate,
  admin: routes.vaultCacheClear,
} satisfies Record<string, RouteSpec>;
type Kind = keyof typeof kinds;

describe("authorize: the route's scope", () => {
  const U = "401 unauthorized";
  const F = "403 forbidden";
  // Columns: public, token, monitor, config:read, config:write, admin route.
  const table: Array<[string, Scope | "none", Record<Kind, string>]> = [
    ["no token", "none", { public: "ok", token: U, monitor: U, configRead: U, configWrite: U, admin: U }],
    ["monitor", "monitor", { public: "ok", token: "ok", monitor: "ok", configRead: F, configWrite: F, admin: F }],
    [
      "config:read",
      "config:read",
      { public: "ok", token: "ok", monitor: F, configRead: "ok", configWrite: F, admin: F },
    ],
    [
      "secrets:read (implies config:read)",
      "secrets:read",
      { public: "ok", token: "ok", monitor: F, configRead: "ok", configWrite: F, admin: F },
    ],
    [
      "config:write",
      "config:write",
      { public: "ok", token: "ok", monitor: F, configRead: F, configWrite: "ok", admin: F },
    ],
    ["admin", "admin", { public: "ok", token: "ok", monitor: "ok", configRead: "ok", configWrite: "ok", admin: "ok" }],
  ];
  for (const [label, scope, expected] of table) {
    it(`${label}`, () => {
      const principal = scope === "none" ? undefined : token([scope]);
      const got = Object.fromEntries(
        (Object.keys(kinds) as Kind[]).map((kind) => [
          kind,
          outcome(() => authorize({ principal, route: kinds[kind], now: NOW })),
        ]),
      );
      expect(got).toEqual(expected);
    });
  }

  it("names the scope a route needs", () => {
    expect(() => authorize({ principal: token(["monitor"]), route: routes.configUpdate, now: NOW })).toThrow(
      "This operation needs the config:write scope",
    );
  });
});

describe("authorize: expiry", () => {
  const cases: Array<[string, Parameters<typeof authorize>[0], string, string | RegExp]> = [
    ["a token past its expiry", { principal: token(["admin"], { expiresAt: NOW - 1 }) }, "401 unauthorized", /expired/],
    ["a token expiring now", { principal: token(["admin"], { expiresAt: NOW }) }, "401 unauthorized", /expired/],
    ["a token expiring later", { principal: token(["admin"], { expiresAt: NOW + 1 }) }, "ok", ""],
    ["no token, the authorizer says expired", { reason: "expired" }, "401 unauthorized", "The token has expired"],
    ["no token, the authorizer says unknown", { reason: "unknown" }, "401 unauthorized", "Missing or invalid bearer"],
    ["no token at all", { reason: "missing" }, "401 unauthorized", "Missing or invalid bearer token"],
  ];
  for (const [label, request, expected, message] of cases) {
    it(`${label}: ${expected}`, () => {
      const run = () => authorize({ ...request, route: routes.configGet, now: NOW });
      expect(outcome(run)).toBe(expected);
      if (message) expect(run).toThrow(message);
    });
  }

  it("lets an expired token call a public route; a path check (no `now`) leaves expiry to the entry", () => {
    const old = token(["admin"], { expiresAt: NOW - 1 });
    expect(outcome(() => authorize({ principal: old, route: routes.vaultHealth, now: NOW }))).toBe("ok");
    expect(outcome(() => authorize({ principal: old }, "prod/payments/db"))).toBe("ok");
  });

  it("reads the expiry, scopes and paths from the authorizer's context", () => {
    expect(
      principalFrom({ authenticated: true, principal: "ci", scopes: "read", paths: "a/* b/**", expires_at: NOW }),
    ).toEqual({ name: "ci", scopes: ["monitor", "config:read"], paths: ["a/*", "b/**"], expiresAt: NOW });
    expect(principalFrom({ authenticated: false, reason: "expired", principal: "old" })).toBeUndefined();
    expect(principalFrom(undefined)).toBeUndefined();
  });
});

describe("authorize: path limits", () => {
  const limited = token(["config:write", "secrets:read"], { paths: ["prod/payments/*", "staging/**"] });
  const cases: Array<[string, RouteSpec, AccessTarget | undefined, string]> = [
    ["a config route, no path yet", routes.configGet, undefined, "ok"],
    ["a key within its paths", routes.configGet, { environment: "prod", service_name: "payments", key: "db" }, "ok"],
    ["a key of another service", routes.configGet, { environment: "prod", service_name: "orders", key: "db" }, "403"],
    ["a path within `**`", routes.configUpdate, "staging/any/thing", "ok"],
    ["a path outside", routes.configUpdate, "prod/orders/db", "403"],
    ["a service it may list", routes.configList, { environment: "prod", service_name: "payments" }, "ok"],
    ["a service under `**`", routes.configList, { environment: "staging", service_name: "x" }, "ok"],
    ["a service it may not list", routes.configList, { environment: "dev", service_name: "payments" }, "403"],
    ["a plane-wide route", routes.configStatus, undefined, "403 plane-wide"],
    ["a plane-wide route of its scope", routes.configCopy, undefined, "403"],
  ];
  for (const [label, route, ref, expected] of cases) {
    it(`${label}: ${expected}`, () => {
      const run = () => authorize({ principal: token(["admin"], { paths: limited.paths }), route, now: NOW }, ref);
      expect(outcome(run).startsWith(expected.split(" ")[0] as string)).toBe(true);
      if (expected === "403 plane-wide") expect(run).toThrow(/plane-wide/);
    });
  }

  it("names the refused path (for the audit record) and the token's patterns", () => {
    const refused = (ref: AccessTarget) => {
      try {
        authorize({ principal: limited }, ref);
      } catch (error) {
        return { message: (error as Error).message, path: (error as { path?: string }).path };
      }
      return undefined;
    };
    expect(refused({ environment: "prod", service_name: "orders", key: "db" })).toEqual({
      message: "This token may not use this configuration path",
      path: "prod/orders/db",
    });
    expect(refused({ environment: "dev", service_name: "x" })).toEqual({
      message: "This token may not use this service",
      path: "dev/x",
    });
    expect(() => authorize({ principal: limited }, "dev/x/y")).toThrow(
      expect.objectContaining({ details: "the token may use prod/payments/*, staging/**" }),
    );
  });

  it("lets a token without path limits touch every path, and says which paths a list shows", () => {
    expect(outcome(() => authorize({ principal: token(["config:read"]) }, "any/where/at-all"))).toBe("ok");
    const access = authorize({ principal: limited });
    expect(["prod/payments/db", "prod/orders/db", "staging/a/b"].filter(access.sees)).toEqual([
      "prod/payments/db",
      "staging/a/b",
    ]);
    expect(authorize({}).sees("prod/orders/db")).toBe(true);
  });
});

describe("authorize: sensitive values and masking", () => {
  const secret: ConfigRecord = {
    key: "db",
    environment: "prod",
    service_name: "payments",
    value: "s3cr3t",
    is_encrypted: true,
    version: 3,
  } as ConfigRecord;
  const plain = { ...secret, key: "url", value: "https://x", is_encrypted: false } as ConfigRecord;
  const masked = { ...secret, value: null, value_sha256_prefix: shortHash("s3cr3t") };
  const table: Array<[Scope | "none", { sensitive: boolean; mayMakePlain: boolean; shown: unknown }]> = [
    ["none", { sensitive: false, mayMakePlain: false, shown: masked }],
    ["monitor", { sensitive: false, mayMakePlain: false, shown: masked }],
    ["config:read", { sensitive: false, mayMakePlain: false, shown: masked }],
    ["config:write", { sensitive: false, mayMakePlain: false, shown: masked }],
    ["secrets:read", { sensitive: true, mayMakePlain: false, shown: secret }],
    ["admin", { sensitive: true, mayMakePlain: true, shown: secret }],
  ];
  for (const [scope, expected] of table) {
    it(`${scope}: ${expected.sensitive ? "sees" : "masked"}${expected.mayMakePlain ? ", may make plain" : ""}`, () => {
      const access = authorize({ principal: scope === "none" ? undefined : token([scope]) });
      expect({
        sensitive: access.sensitive,
        mayMakePlain: access.mayMakePlain,
        shown: access.present(secret),
      }).toEqual(expected);
      // A plain value is shown to anyone who may read it.
      expect(access.present(plain)).toBe(plain);
    });
  }
});

describe("authorization middleware: refusals audited and counted", () => {
  const setup = () => fakeEdgeContext(NOW);
  const route = { method: "GET", path: "/api/v1/config/{key}", scope: "config:read", paths: "config" } as const;
  const limited = { authenticated: true, principal: "team", scopes: "config:read", paths: "prod/payments/*" };
  const reader = { authenticated: true, principal: "dash", scopes: "config:read" };
  const cases: Array<
    [string, Record<string, unknown> | null, () => Promise<never> | Promise<{ status: number }>, unknown[]]
  > = [
    [
      "no token: 401, authenticate",
      null,
      async () => ({ status: 200 }),
      [401, "unauthorized", "authenticate", "GET /api/v1/config/{key}", "anonymous", { authFailures: 1, denied: 0 }],
    ],
    [
      "expired: 401 under the token's name",
      { ...reader, expires_at: NOW - 1 },
      async () => ({ status: 200 }),
      [401, "unauthorized", "authenticate", "GET /api/v1/config/{key}", "dash", { authFailures: 1, denied: 0 }],
    ],
    [
      "a path outside the token's: 403 under the path",
      limited,
      async () => {
        authorize({ principal: { name: "team", scopes: ["config:read"], paths: ["prod/payments/*"] } }, "prod/x/db");
        return { status: 200 };
      },
      [403, "forbidden", "denied", "prod/x/db", "team", { authFailures: 0, denied: 1 }],
    ],
    [
      "a sensitive value without secrets:read: 403 secrets_scope_required",
      reader,
      async () => {
        throw new SecretsScopeRequiredError("needs secrets:read", { path: "prod/payments/db" });
      },
      [403, "secrets_scope_required", "denied", "prod/payments/db", "dash", { authFailures: 0, denied: 1 }],
    ],
    [
      "Vault's own refusal: 403, audited too",
      reader,
      async () => {
        throw new VaultPermissionError("permission denied");
      },
      [403, "vault_permission_denied", "denied", "GET /api/v1/config/{key}", "dash", { authFailures: 0, denied: 1 }],
    ],
  ];
  for (const [label, authorizer, fn, expected] of cases) {
    it(label, async () => {
      const { ctx, audit, counted, emf } = setup();
      const handler = httpRoute(route, fn as never)(() => ctx);
      const event = canonicalHttpEvent({ method: "GET", route: route.path, path: "/api/v1/config/db", authorizer });
      const out = (await handler(event as never, { awsRequestId: "r" } as never)) as {
        statusCode: number;
        body: string;
      };
      const [record] = audit.records;
      expect([
        out.statusCode,
        JSON.parse(out.body).code,
        record?.operation,
        record?.path,
        record?.actor,
        counted,
      ]).toEqual(expected);
      expect(audit.records).toHaveLength(1);
      expect(record?.success).toBe(false);
      ctx.accessMetrics.flush();
      const metric = expected[0] === 401 ? "FailedAuthentication" : "Denied";
      expect(emf.some((line) => JSON.parse(line)[metric] === 1)).toBe(true);
    });
  }

  it("audits nothing for an allowed request or another error", async () => {
    const { ctx, audit } = setup();
    const ok = httpRoute(route, async () => ({ status: 200, body: {} }))(() => ctx);
    const bad = httpRoute(route, async () => {
      throw new Error("boom");
    })(() => ctx);
    const event = () => canonicalHttpEvent({ method: "GET", route: route.path, path: "/x", authorizer: reader });
    expect(((await ok(event() as never, {} as never)) as { statusCode: number }).statusCode).toBe(200);
    expect(((await bad(event() as never, {} as never)) as { statusCode: number }).statusCode).toBe(500);
    expect(audit.records).toEqual([]);
  });
});
