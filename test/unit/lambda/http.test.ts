import type { VaultopsContext } from "@vaultops/core";
import { httpRoute } from "@vaultops/lambda";
import { describe, expect, it } from "vitest";
import { canonicalHttpEvent } from "../../support/events";
import { fakeEdgeContext } from "../support/edge-context";

/**
 * The HTTP edge with a fake context: who may call a route, header names in any case, and refused
 * requests audited and counted. The route function only echoes what it was given.
 */
const setup = fakeEdgeContext;

const configRoute = { method: "PUT", path: "/api/v1/config/{key}", scope: "config:write", paths: "config" } as const;
const planeRoute = { method: "GET", path: "/api/v1/vault/metrics", scope: "monitor" } as const;
const echo = (spec: typeof configRoute | typeof planeRoute) =>
  httpRoute(spec, async (request) => ({
    status: 200,
    body: { ifMatch: request.headers["if-match"] ?? null, principal: request.principal?.name ?? null },
  }));

const call = async (
  spec: typeof configRoute | typeof planeRoute,
  ctx: VaultopsContext,
  authorizer: Record<string, unknown> | null,
  headers: Record<string, string> = {},
) => {
  const handler = echo(spec)(() => ctx);
  const event = canonicalHttpEvent({ method: spec.method, route: spec.path, path: spec.path, headers, authorizer });
  const out = (await handler(event as never, { awsRequestId: "r" } as never)) as { statusCode: number; body: string };
  return { status: out.statusCode, body: JSON.parse(out.body) as Record<string, unknown> };
};

describe("httpRoute", () => {
  it("reads header names in any case (SAM's events capitalise them)", async () => {
    const { ctx } = setup();
    const res = await call(
      configRoute,
      ctx,
      { authenticated: true, principal: "ci", scopes: "config:write" },
      {
        "If-Match": '"3"',
      },
    );
    expect(res).toEqual({ status: 200, body: { ifMatch: '"3"', principal: "ci" } });
  });

  it("answers 401 without a principal and for an expired token, 403 without the route's scope", async () => {
    const { ctx } = setup();
    expect((await call(configRoute, ctx, null)).status).toBe(401);
    const expired = { authenticated: true, principal: "old", scopes: "admin", expires_at: Date.parse("2026-05-01") };
    expect(await call(configRoute, ctx, expired)).toMatchObject({
      status: 401,
      body: { error: "The token has expired" },
    });
    const reader = { authenticated: true, principal: "dash", scopes: "monitor config:read" };
    expect(await call(configRoute, ctx, reader)).toMatchObject({ status: 403, body: { code: "forbidden" } });
  });

  it("keeps path-limited tokens off plane-wide routes", async () => {
    const { ctx } = setup();
    const limited = { authenticated: true, principal: "team", scopes: "monitor", paths: "prod/payments/*" };
    expect(await call(planeRoute, ctx, limited)).toMatchObject({ status: 403, body: { error: /plane-wide/ } });
    expect((await call(planeRoute, ctx, { ...limited, paths: undefined })).status).toBe(200);
  });

  it("audits and counts every refusal under the token's name", async () => {
    const { ctx, audit, counted, emf } = setup();
    await call(configRoute, ctx, null);
    await call(configRoute, ctx, { authenticated: true, principal: "dash", scopes: "config:read" });
    expect(audit.records.map((r) => [r.operation, r.actor, r.success])).toEqual([
      ["authenticate", "anonymous", false],
      ["denied", "dash", false],
    ]);
    expect(counted).toEqual({ authFailures: 1, denied: 1 });
    ctx.accessMetrics.flush();
    expect(emf.some((l) => JSON.parse(l).FailedAuthentication === 1)).toBe(true);
    expect(emf.some((l) => JSON.parse(l).Denied === 1)).toBe(true);
  });
});
