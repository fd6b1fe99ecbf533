import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";

/** The canonical events of test/fixtures/events (see its README), each read once and copied per use. */
type Fixture =
  | "http-api-proxy"
  | "http-api-request-authorizer"
  | "scheduled-event"
  | "cloudwatch-alarm-action"
  | "secrets-manager-rotation";

const cache = new Map<Fixture, string>();
export function fixture<T = Record<string, unknown>>(name: Fixture): T {
  let text = cache.get(name);
  if (text === undefined) {
    text = readFileSync(path.resolve("test/fixtures/events", `${name}.json`), "utf8");
    cache.set(name, text);
  }
  return JSON.parse(text) as T;
}

export interface CanonicalHttpOptions {
  method: string;
  /** The route's path as declared (`/api/v1/config/{key}`), for routeKey. */
  route: string;
  /** The request's path (`/api/v1/config/db`). */
  path: string;
  query?: Record<string, string>;
  /** Sent as given: mixed case is the point. */
  headers?: Record<string, string>;
  pathParameters?: Record<string, string>;
  /** JSON or text; sent base64-encoded as the fixture does unless `base64: false`. */
  body?: string;
  base64?: boolean;
  cookies?: string[];
  /** The REQUEST authorizer's simple-response context, as it reaches the route (`authorizer.lambda`). */
  authorizer?: Record<string, unknown> | null;
  sourceIp?: string;
}

/**
 * An API Gateway HTTP API (payload 2.0) event built from SAM's sample: its mixed-case headers, cookies,
 * stage variables and client certificate stay; the JWT authorizer block becomes the Lambda authorizer's
 * context (what our API's authorizer produces) or goes away for public routes.
 */
export function canonicalHttpEvent(options: CanonicalHttpOptions): Record<string, unknown> {
  const event = fixture<Record<string, unknown> & { requestContext: Record<string, unknown> }>("http-api-proxy");
  const query = options.query ?? {};
  const rawQueryString = new URLSearchParams(query).toString();
  event.routeKey = `${options.method} ${options.route}`;
  event.rawPath = options.path;
  event.rawQueryString = rawQueryString;
  event.cookies = options.cookies ?? event.cookies;
  event.headers = {
    ...(event.headers as Record<string, string>),
    "User-Agent": "vaultops-artifacts",
    ...options.headers,
  };
  if (Object.keys(query).length > 0) event.queryStringParameters = query;
  else delete event.queryStringParameters;
  if (options.pathParameters) event.pathParameters = options.pathParameters;
  else delete event.pathParameters;
  if (options.body === undefined) {
    delete event.body;
    event.isBase64Encoded = false;
  } else if (options.base64 === false) {
    event.body = options.body;
    event.isBase64Encoded = false;
  } else {
    event.body = Buffer.from(options.body, "utf8").toString("base64");
    event.isBase64Encoded = true;
  }
  const context = event.requestContext;
  context.routeKey = event.routeKey;
  context.requestId = randomUUID();
  context.timeEpoch = Date.now();
  const http = context.http as Record<string, unknown>;
  http.method = options.method;
  http.path = options.path;
  if (options.sourceIp) http.sourceIp = options.sourceIp;
  if (options.authorizer) context.authorizer = { lambda: options.authorizer };
  else delete context.authorizer;
  return event;
}

/** The v2 REQUEST authorizer event for a request carrying `authorization` (any header case). */
export function canonicalAuthorizerEvent(options: {
  method: string;
  route: string;
  path: string;
  headers: Record<string, string>;
}): Record<string, unknown> {
  const event = fixture<Record<string, unknown> & { requestContext: Record<string, unknown> }>(
    "http-api-request-authorizer",
  );
  const auth = Object.entries(options.headers).find(([name]) => name.toLowerCase() === "authorization")?.[1];
  event.routeArn = `arn:aws:execute-api:us-east-1:123456789012:abcdef123/$default/${options.method}${options.path}`;
  event.routeKey = `${options.method} ${options.route}`;
  event.rawPath = options.path;
  event.identitySource = auth === undefined ? [] : [auth];
  event.headers = options.headers;
  const http = event.requestContext.http as Record<string, unknown>;
  http.method = options.method;
  http.path = options.path;
  return event;
}

export function scheduledEvent(rule = "vaultops-test"): Record<string, unknown> {
  const event = fixture("scheduled-event");
  event.id = randomUUID();
  event.time = new Date().toISOString();
  event.resources = [`arn:aws:events:us-east-1:123456789012:rule/${rule}`];
  return event;
}
