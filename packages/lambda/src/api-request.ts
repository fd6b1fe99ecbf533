import type { Actor, ApiPrincipal, Scope, VaultopsContext } from "@vaultops/core";
import type { APIGatewayProxyEventV2 } from "aws-lambda";

/** What a route sees of the HTTP request: no Lambda event types past the edge. */
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

/** An API Gateway HTTP API (payload 2.0) event, with the Lambda authorizer's context. */
export type HttpEvent = APIGatewayProxyEventV2 & {
  requestContext: APIGatewayProxyEventV2["requestContext"] & {
    authorizer?: { lambda?: Record<string, unknown> };
  };
};

/**
 * The event as the route's middlewares leave it: `principal` set by `authorization` (who asks, once
 * allowed), `parsedBody` by `jsonBody` (the JSON value, or NO_BODY).
 */
export type RouteEvent = HttpEvent & { principal?: ApiPrincipal; parsedBody?: unknown };

export type RouteFn = (request: ApiRequest, ctx: VaultopsContext) => Promise<ApiResult>;

/** A request without a body; `bodyOr(request, {})` turns it into a default, a JSON `null` stays null. */
export const NO_BODY: unique symbol = Symbol("no body");
export const bodyOr = <T>(request: ApiRequest, fallback: T): unknown =>
  request.body === NO_BODY ? fallback : request.body;

/** Request bodies above this are refused with 413 before any work is done. */
export const MAX_BODY_BYTES = 64 * 1024;
