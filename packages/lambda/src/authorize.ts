import type middy from "@middy/core";
import {
  type ApiPrincipal,
  type ConfigRecord,
  type ConfigRef,
  expandScopes,
  ForbiddenError,
  hasScope,
  pathAllowed,
  refPath,
  serviceAllowed,
  toErrorResponse,
  UnauthorizedError,
  type VaultopsContext,
  withheld,
} from "@vaultops/core";
import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import type { HttpEvent, RouteEvent, RouteSpec } from "./api-request";
import type { ContextProvider } from "./context";

/**
 * The plane's authorization, in one place: who may call a route (a valid, unexpired token with the
 * route's scope; no path limits on plane-wide routes), which configuration paths it may touch (its path
 * patterns), whether it sees sensitive values (`secrets:read`) or gets them masked, and whether it may
 * make a sensitive key plain (`admin`). A refusal is a 401 or 403 error; `authorization` (the route's
 * middleware) asks at the route's entry and audits and counts every refusal, whoever threw it.
 */

/** What authorize() decides on. An `ApiRequest` is one (its principal; the route was checked at entry). */
export interface AuthorizeRequest {
  /** Who asks, from the authorizer's context; absent: no valid token. */
  principal?: ApiPrincipal | undefined;
  /** The route called: checked when given (at the route's entry). */
  route?: Pick<RouteSpec, "scope" | "paths"> | undefined;
  /** Why there is no principal, as the authorizer said (`expired`: its own 401 message). */
  reason?: unknown;
  /**
   * Epoch milliseconds: a token past its expiry is refused when given (API Gateway may reuse the
   * authorizer's answer for 5 minutes, past the token's end).
   */
  now?: number | undefined;
}

/** A configuration path (`env/service/key`), a key's reference, or a service (a list of its keys). */
export type AccessTarget = string | ConfigRef | { environment: string; service_name: string };

export type Presented = Omit<ConfigRecord, "value"> & { value: string | null; value_sha256_prefix?: string };

/** What the caller may do, once authorize() let it through. */
export interface Access {
  principal?: ApiPrincipal | undefined;
  /** May see sensitive values (`secrets:read`, or `admin`): the config service's `allowSensitive`. */
  sensitive: boolean;
  /** May make a key that is (or was) sensitive plain again: `admin` only. */
  mayMakePlain: boolean;
  /** May see this configuration path (a list leaves the others out). */
  sees(path: string): boolean;
  /**
   * A record as this caller may see it: a sensitive value without `secrets:read` becomes null, with
   * its 8-byte SHA-256 prefix beside it (the shape stays the same).
   */
  present(record: ConfigRecord): Presented;
}

/**
 * Decides a request: throws UnauthorizedError (401) or ForbiddenError (403), else says what the caller
 * may see. With `request.route`: may the token call the route at all. With `ref`: may it touch that
 * configuration path or service (a token without path limits may touch every one).
 */
export function authorize(request: AuthorizeRequest, ref?: AccessTarget): Access {
  const { principal, route } = request;
  if (route && route.scope !== "public") {
    if (!principal) {
      throw new UnauthorizedError(
        request.reason === "expired" ? "The token has expired" : "Missing or invalid bearer token",
      );
    }
    if (request.now !== undefined && principal.expiresAt !== undefined && principal.expiresAt <= request.now)
      throw new UnauthorizedError("The token has expired", { details: principal.name });
    const refused = routeAccess(route, principal);
    if (refused === "scope") throw new ForbiddenError(`This operation needs the ${route.scope} scope`);
    if (refused === "plane-wide") {
      throw new ForbiddenError("This operation is plane-wide: it needs a token without path limits", {
        details: `the token may use ${principal.paths?.join(", ")}`,
      });
    }
  }
  if (principal && ref !== undefined) withinPaths(principal, ref);
  const sensitive = principal !== undefined && hasScope(principal, "secrets:read");
  return {
    principal,
    sensitive,
    mayMakePlain: principal !== undefined && hasScope(principal, "admin"),
    sees: (path) => !principal || pathAllowed(principal, path),
    present: (record) => (!record.is_encrypted || sensitive ? record : withheld(record)),
  };
}

/** Refuses (403) a path, key or service outside the token's path limits, naming it for the audit record. */
function withinPaths(principal: ApiPrincipal, ref: AccessTarget): void {
  if (!principal.paths) return;
  const outside = (message: string, path: string): never => {
    throw new ForbiddenError(message, { path, details: `the token may use ${principal.paths?.join(", ")}` });
  };
  if (typeof ref === "string") {
    if (!pathAllowed(principal, ref)) outside("This token may not use this configuration path", ref);
  } else if ("key" in ref && typeof ref.key === "string") {
    const path = refPath(ref);
    if (!pathAllowed(principal, path)) outside("This token may not use this configuration path", path);
  } else if (!serviceAllowed(principal, ref.environment, ref.service_name)) {
    // A list: none of the token's patterns could match a key of the service.
    outside("This token may not use this service", `${ref.environment}/${ref.service_name}`);
  }
}

/**
 * What a token's scopes and path limits allow on a route (expiry aside): undefined when it may call
 * it, else why not. authorize() and `GET /api/v1/auth/token` both ask this.
 */
export function routeAccess(
  spec: Pick<RouteSpec, "scope" | "paths">,
  principal: Pick<ApiPrincipal, "scopes" | "paths">,
): "scope" | "plane-wide" | undefined {
  if (spec.scope === "public" || spec.scope === "token") return undefined;
  if (!hasScope(principal, spec.scope)) return "scope";
  if (principal.paths && spec.paths !== "config") return "plane-wide";
  return undefined;
}

/**
 * The authorizer's context (`requestContext.authorizer.lambda`), as API Gateway passes it on:
 * scopes and path patterns space-separated, the expiry in epoch milliseconds.
 */
export function principalFrom(lambda: Record<string, unknown> | undefined): ApiPrincipal | undefined {
  if (lambda?.authenticated !== true || typeof lambda.principal !== "string") return undefined;
  const words = (value: unknown) =>
    String(value ?? "")
      .split(/\s+/)
      .filter(Boolean);
  const principal: ApiPrincipal = { name: lambda.principal, scopes: expandScopes(words(lambda.scopes)) };
  const paths = words(lambda.paths);
  if (paths.length > 0) principal.paths = paths;
  const expiresAt = Number(lambda.expires_at);
  if (lambda.expires_at !== undefined && Number.isFinite(expiresAt)) principal.expiresAt = expiresAt;
  return principal;
}

/**
 * The route's middleware: before the route, authorize() on the route (the principal is left on the
 * event); on any 401 or 403, whoever threw it (this check, a path limit, a sensitive value, Vault's
 * own refusal), the refusal is audited and counted.
 */
export function authorization(
  spec: RouteSpec,
  getContext: ContextProvider,
): middy.MiddlewareObj<RouteEvent, APIGatewayProxyStructuredResultV2> {
  return {
    before: (request) => {
      const lambda = request.event.requestContext.authorizer?.lambda;
      const principal = principalFrom(lambda);
      authorize({ route: spec, principal, reason: lambda?.reason, now: getContext().clock.now() });
      if (principal) request.event.principal = principal;
    },
    onError: async (request) => {
      const { status } = toErrorResponse(request.error);
      if (status === 401 || status === 403)
        await auditRefusal(getContext(), spec, request.event, request.error, status);
    },
  };
}

/**
 * A refused request (401 no valid token, 403 not allowed) is audited under the token's name and
 * counted: `FailedAuthentication` and `Denied` in the access figures, and the shared counters. A
 * refusal about a configuration path is recorded under that path, else under the route.
 */
export async function auditRefusal(
  ctx: VaultopsContext,
  spec: Pick<RouteSpec, "method" | "path">,
  event: HttpEvent,
  error: unknown,
  status: 401 | 403,
): Promise<void> {
  const lambda = event.requestContext?.authorizer?.lambda;
  const name = typeof lambda?.principal === "string" ? lambda.principal : "anonymous";
  const path = error instanceof ForbiddenError && error.path ? error.path : `${spec.method} ${spec.path}`;
  const [environment, service] = error instanceof ForbiddenError && error.path ? error.path.split("/") : [];
  try {
    if (status === 401) {
      ctx.accessMetrics.authFailure();
      ctx.recorder.authFailure("api");
    } else {
      ctx.accessMetrics.denied(environment, service);
      ctx.recorder.denied();
    }
    await ctx.audit.record(
      {
        operation: status === 401 ? "authenticate" : "denied",
        path,
        success: false,
        error: (error as { code?: string }).code ?? String(status),
      },
      {
        name,
        ...(event.requestContext?.http?.sourceIp ? { sourceIp: event.requestContext.http.sourceIp } : {}),
        ...(event.requestContext?.requestId ? { requestId: event.requestContext.requestId } : {}),
      },
    );
  } catch (auditError) {
    ctx.logger.error("refused request not audited", { error: auditError, principal: name, status });
  }
}
