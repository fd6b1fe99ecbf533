import middy from "@middy/core";
import { functionName } from "@vaultops/api/function-name";
import {
  type Actor,
  type ApiPrincipal,
  asFunction,
  expandScopes,
  ForbiddenError,
  hasScope,
  PayloadTooLargeError,
  type Scope,
  toErrorResponse,
  UnauthorizedError,
  ValidationError,
  type VaultopsContext,
} from "@vaultops/core";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import { type ContextProvider, defaultContext } from "./context";
import { flushInvocation, lowerCaseHeaders } from "./invocation";

/** What a route sees of the HTTP request: no Lambda event types past this file. */
export interface ApiRequest {
  method: string;
  path: string;
  pathParams: Record<string, string>;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: unknown;
  principal?: ApiPrincipal;
  /** Who is asking, for the audit trail. */
  actor: Actor;
  requestId: string;
  sourceIp: string;
}

export interface ApiResult {
  status: number;
  body?: unknown;
  /** Sent as text/plain instead of JSON (Prometheus exposition). */
  text?: string;
  headers?: Record<string, string>;
}

export interface RouteSpec {
  method: string;
  path: string;
  /** `public`: no token; `token`: any valid token; else the scope it needs. */
  scope: Exclude<Scope, "secrets:read"> | "public" | "token";
  /** `config`: a route about configuration paths, usable by path-limited tokens within their paths. */
  paths?: "config";
  /** The route's handler (`functions/config/get.handler`): the function its AWS calls are recorded under. */
  handler?: string;
}

export type HttpEvent = APIGatewayProxyEventV2 & {
  requestContext: APIGatewayProxyEventV2["requestContext"] & {
    authorizer?: { lambda?: Record<string, unknown> };
  };
};

export type RouteFn = (request: ApiRequest, ctx: VaultopsContext) => Promise<ApiResult>;

/** A request without a body; `bodyOr(request, {})` turns it into a default, a JSON `null` stays null. */
export const NO_BODY: unique symbol = Symbol("no body");
export const bodyOr = <T>(request: ApiRequest, fallback: T): unknown =>
  request.body === NO_BODY ? fallback : request.body;

/** Request bodies above this are refused with 413 before any work is done. */
export const MAX_BODY_BYTES = 64 * 1024;

const baseHeaders = { "content-type": "application/json", "cache-control": "no-store" };

/**
 * The authorizer's context (`requestContext.authorizer.lambda`), as API Gateway passes it on:
 * scopes and path patterns space-separated, the expiry in epoch milliseconds.
 */
function principalFrom(event: HttpEvent): ApiPrincipal | undefined {
  const lambda = event.requestContext.authorizer?.lambda;
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
 * Who may call the route: a token (not expired: API Gateway may reuse the authorizer's answer for 5
 * minutes), the route's scope, and no path limits on plane-wide routes. Config paths themselves are
 * checked by the route (`configRef`), which knows them.
 */
function authorize(spec: RouteSpec, event: HttpEvent, principal: ApiPrincipal | undefined, now: number): void {
  if (spec.scope === "public") return;
  if (!principal) {
    const expired = event.requestContext.authorizer?.lambda?.reason === "expired";
    throw new UnauthorizedError(expired ? "The token has expired" : "Missing or invalid bearer token");
  }
  if (principal.expiresAt !== undefined && principal.expiresAt <= now)
    throw new UnauthorizedError("The token has expired", { details: principal.name });
  const refused = routeAccess(spec, principal);
  if (refused === "scope") throw new ForbiddenError(`This operation needs the ${spec.scope} scope`);
  if (refused === "plane-wide") {
    throw new ForbiddenError("This operation is plane-wide: it needs a token without path limits", {
      details: `the token may use ${principal.paths?.join(", ")}`,
    });
  }
}

/**
 * What a token's scopes and path limits allow on a route (expiry aside): undefined when it may call
 * it, else why not. The route wrapper and `GET /api/v1/auth/token` both ask this.
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

function parseBody(event: HttpEvent): unknown {
  if (event.body === undefined || event.body === null || event.body === "") return NO_BODY;
  const text = event.isBase64Encoded ? Buffer.from(event.body, "base64").toString("utf8") : event.body;
  if (Buffer.byteLength(text, "utf8") > MAX_BODY_BYTES) {
    throw new PayloadTooLargeError("Request body too large", { details: `at most ${MAX_BODY_BYTES} bytes` });
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError("Malformed JSON body");
  }
}

/**
 * Builds a route's Lambda handler: the middy stack (log, errors, scope check, metrics flush)
 * around a function that maps a request to a core call and the result to a response.
 */
export function httpRoute(spec: RouteSpec, fn: RouteFn) {
  return (getContext: ContextProvider = defaultContext) => {
    const base = async (event: HttpEvent, lambdaContext: Context): Promise<APIGatewayProxyStructuredResultV2> => {
      const ctx = getContext();
      const principal = principalFrom(event);
      authorize(spec, event, principal, ctx.clock.now());
      const requestId = event.requestContext.requestId ?? lambdaContext.awsRequestId;
      const sourceIp = event.requestContext.http.sourceIp;
      const request: ApiRequest = {
        method: event.requestContext.http.method,
        path: event.rawPath,
        pathParams: (event.pathParameters ?? {}) as Record<string, string>,
        // An empty parameter (`?offset=`) is the same as none, as the OpenAPI document says (allowEmptyValue).
        query: Object.fromEntries(
          Object.entries(event.queryStringParameters ?? {}).filter(([, v]) => v !== ""),
        ) as Record<string, string>,
        // API Gateway lower-cases header names; other front ends and SAM's sample events do not.
        headers: lowerCaseHeaders(event.headers),
        body: parseBody(event),
        requestId,
        sourceIp,
        actor: { name: principal?.name ?? "anonymous", sourceIp, requestId },
        ...(principal ? { principal } : {}),
      };
      const result = await fn(request, ctx);
      if (result.text !== undefined) {
        return {
          statusCode: result.status,
          headers: {
            "content-type": "text/plain; version=0.0.4; charset=utf-8",
            "cache-control": "no-store",
            ...result.headers,
          },
          body: result.text,
        };
      }
      return {
        statusCode: result.status,
        headers: { ...baseHeaders, ...result.headers },
        body: result.body === undefined ? "" : JSON.stringify(result.body),
      };
    };

    const handler = middy<HttpEvent, APIGatewayProxyStructuredResultV2>(base).use(observe(spec, getContext));
    if (!spec.handler) return handler;
    const name = functionName(spec.handler);
    return (event: HttpEvent, lambdaContext: Context) => asFunction(name, () => handler(event, lambdaContext));
  };
}

/** Logging, the one error-to-response mapping, and the counter flush, as one middy middleware. */
function observe(
  spec: RouteSpec,
  getContext: ContextProvider,
): middy.MiddlewareObj<HttpEvent, APIGatewayProxyStructuredResultV2> {
  const started = new WeakMap<object, number>();
  const finish = async (request: middy.Request<HttpEvent, APIGatewayProxyStructuredResultV2>) => {
    const ctx = getContext();
    await flushInvocation(ctx, { always: false });
    // A success is in API Gateway's access log (and a read in the audit trail): this line is for debugging;
    // at info it would be a log line per cached read, most of what such a read costs in CloudWatch Logs.
    const status = request.response?.statusCode ?? 500;
    ctx.logger[status < 400 ? "debug" : "info"]("request", {
      route: `${spec.method} ${spec.path}`,
      status,
      duration_ms: Date.now() - (started.get(request) ?? Date.now()),
      request_id: request.event.requestContext?.requestId,
      principal: request.event.requestContext?.authorizer?.lambda?.principal,
    });
  };
  return {
    before: (request) => {
      started.set(request, Date.now());
    },
    after: finish,
    onError: async (request) => {
      const requestId = request.event.requestContext?.requestId;
      const { status, body } = toErrorResponse(request.error, requestId);
      if (status === 401 || status === 403) await refused(getContext(), spec, request.event, request.error, status);
      // A 500 is a defect; a 503 is an outage of Vault or DynamoDB, worth a warning per request.
      if (status === 500) getContext().logger.error("request failed", { error: request.error, request_id: requestId });
      else if (status > 500)
        getContext().logger.warn("request failed", { error: request.error, request_id: requestId });
      request.response = { statusCode: status, headers: { ...baseHeaders }, body: JSON.stringify(body) };
      await finish(request);
    },
  };
}

/**
 * A refused request (401 no valid token, 403 not allowed) is audited under the token's name and
 * counted: `FailedAuthentication` and `Denied` in the access figures, and the shared counters.
 */
async function refused(
  ctx: VaultopsContext,
  spec: RouteSpec,
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
