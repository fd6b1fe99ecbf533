/**
 * THE API Gateway HTTP API event builder (payload format 2.0, as AWS documents it: "Working with AWS
 * Lambda proxy integrations for HTTP APIs"): the local API server, the bench and the test harness all
 * build their events here, so a function sees the same shape from each and from AWS.
 */
import { randomUUID } from "node:crypto";
import { matchRoute } from "@vaultops/api/route-match";

export interface GatewayRequest {
  method: string;
  /** The path as requested (`rawPath`, `requestContext.http.path`), without its query string. */
  path: string;
  /** The matched route (`GET /api/v1/config/{key}`); default: the route table's match, else `$default`. */
  routeKey?: string;
  /** The query string as sent; default: `query` encoded. */
  rawQueryString?: string;
  /** Query parameters, when no raw query string is given. */
  query?: Record<string, string>;
  /** The route's path parameters as API Gateway extracts them (`{ key: "db" }`). */
  pathParameters?: Record<string, string>;
  /** Names are lower-cased and `cookie` moves to `cookies`, as API Gateway does. */
  headers?: Record<string, string>;
  /** Text as given; bytes base64-encoded unless their content type is textual (`isBase64Encoded`). */
  body?: string | Buffer;
  protocol?: string;
  sourceIp?: string;
  /** Default: the `user-agent` header. */
  userAgent?: string;
  requestId?: string;
  apiId?: string;
  domainName?: string;
  /** The REQUEST authorizer's simple-response context, as it reaches the route (`authorizer.lambda`). */
  authorizer?: Record<string, unknown> | null;
  /** When the request arrived (epoch ms); default now. */
  now?: number;
}

export interface GatewayEvent {
  version: "2.0";
  routeKey: string;
  rawPath: string;
  rawQueryString: string;
  cookies?: string[];
  headers: Record<string, string>;
  queryStringParameters?: Record<string, string>;
  pathParameters?: Record<string, string>;
  requestContext: {
    accountId: string;
    apiId: string;
    domainName: string;
    domainPrefix: string;
    http: { method: string; path: string; protocol: string; sourceIp: string; userAgent: string };
    requestId: string;
    routeKey: string;
    stage: string;
    time: string;
    timeEpoch: number;
    authorizer?: { lambda: Record<string, unknown> };
  };
  body?: string;
  isBase64Encoded: boolean;
}

/** The v2 REQUEST authorizer's event for a request (simple responses, identity source `Authorization`). */
export interface GatewayAuthorizerEvent extends GatewayEvent {
  type: "REQUEST";
  routeArn: string;
  identitySource: string[];
}

export const LOCAL_ACCOUNT_ID = "000000000000";

/** Bodies API Gateway passes as text; anything else arrives base64-encoded (`isBase64Encoded: true`). */
export const textualContentType = (contentType: string | undefined) =>
  !contentType || /^(text\/|application\/(json|.*\+json|x-www-form-urlencoded|xml|javascript))/i.test(contentType);

const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const two = (n: number) => String(n).padStart(2, "0");
/** `requestContext.time` as API Gateway writes it: `12/Mar/2020:19:03:58 +0000`. */
export const gatewayTime = (epochMs: number) => {
  const d = new Date(epochMs);
  return `${two(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
};

/** The route key API Gateway would match for a request: `METHOD /declared/{path}`, else `$default`. */
export function routeKeyOf(method: string, path: string): string {
  const { match } = matchRoute(method, path);
  return match ? `${match.route.method} ${match.route.path}` : "$default";
}

/** A payload 2.0 event for one request. */
export function gatewayEvent(request: GatewayRequest): GatewayEvent {
  const method = request.method.toUpperCase();
  const routeKey = request.routeKey ?? routeKeyOf(method, request.path);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = value;
  const cookies = headers.cookie ? headers.cookie.split(/;\s*/).filter(Boolean) : undefined;
  delete headers.cookie;
  const rawQueryString = request.rawQueryString ?? new URLSearchParams(request.query ?? {}).toString();
  // Repeated parameters are joined with commas.
  const query: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(rawQueryString))
    query[key] = key in query ? `${query[key]},${value}` : value;
  let body: string | undefined;
  let isBase64Encoded = false;
  if (typeof request.body === "string") body = request.body;
  else if (request.body && request.body.length > 0) {
    isBase64Encoded = !textualContentType(headers["content-type"]);
    body = request.body.toString(isBase64Encoded ? "base64" : "utf8");
  }
  const now = request.now ?? Date.now();
  const domainName = request.domainName ?? headers.host ?? "localhost";
  return {
    version: "2.0",
    routeKey,
    rawPath: request.path,
    rawQueryString,
    ...(cookies ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(request.pathParameters && Object.keys(request.pathParameters).length
      ? { pathParameters: request.pathParameters }
      : {}),
    requestContext: {
      accountId: LOCAL_ACCOUNT_ID,
      apiId: request.apiId ?? "local",
      domainName,
      domainPrefix: domainName.split(".")[0] ?? domainName,
      http: {
        method,
        path: request.path,
        protocol: request.protocol ?? "HTTP/1.1",
        sourceIp: request.sourceIp ?? "127.0.0.1",
        userAgent: request.userAgent ?? headers["user-agent"] ?? "",
      },
      requestId: request.requestId ?? randomUUID(),
      routeKey,
      stage: "$default",
      time: gatewayTime(now),
      timeEpoch: now,
      ...(request.authorizer ? { authorizer: { lambda: request.authorizer } } : {}),
    },
    ...(body !== undefined ? { body } : {}),
    isBase64Encoded,
  };
}

/** The REQUEST authorizer's event for the request of `event`, identified by `identity` (the Authorization header). */
export function gatewayAuthorizerEvent(event: GatewayEvent, identity: string): GatewayAuthorizerEvent {
  const { authorizer: _, ...requestContext } = event.requestContext;
  const { method, path } = event.requestContext.http;
  return {
    ...event,
    requestContext,
    type: "REQUEST",
    routeArn: `arn:aws:execute-api:local:${LOCAL_ACCOUNT_ID}:${requestContext.apiId}/$default/${method}${path}`,
    identitySource: [identity],
  };
}
