import { routeList, routes } from "@vaultops/api";
import { hasScope } from "@vaultops/core";
import { httpRoute, routeAccess } from "@vaultops/lambda";

/** The calling token, as the plane sees it, and every route with whether this token may call it. */
export const createHandler = httpRoute(routes.tokenSelf, async (request, ctx) => {
  const principal = request.principal;
  if (!principal) throw new Error("tokenSelf runs only with an authenticated principal");
  const may = (route: (typeof routeList)[number]): { allowed: boolean; note?: string } => {
    const refused = routeAccess(route, principal);
    if (refused === "scope") return { allowed: false, note: `needs ${route.scope}` };
    if (refused === "plane-wide") return { allowed: false, note: "plane-wide: needs a token without path limits" };
    if (route.scope === "public" || route.scope === "token" || !principal.paths) return { allowed: true };
    return { allowed: true, note: `within ${principal.paths.join(", ")}` };
  };
  return {
    status: 200,
    body: {
      name: principal.name,
      scopes: principal.scopes,
      paths: principal.paths ?? null,
      expires_at: principal.expiresAt === undefined ? null : new Date(principal.expiresAt).toISOString(),
      sensitive_values: hasScope(principal, "secrets:read"),
      routes: routeList.map((route) => ({ method: route.method, path: route.path, scope: route.scope, ...may(route) })),
      checked_at: new Date(ctx.clock.now()).toISOString(),
    },
  };
});

export const handler = createHandler();
