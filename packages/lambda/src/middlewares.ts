import type middy from "@middy/core";
import { PayloadTooLargeError, toErrorResponse, ValidationError } from "@vaultops/core";
import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { type HttpEvent, MAX_BODY_BYTES, NO_BODY, type RouteEvent, type RouteSpec } from "./api-request";
import type { ContextProvider } from "./context";
import { flushInvocation } from "./invocation";

/**
 * The small middy middlewares of ours that every entry kind is built from (the HTTP routes, the
 * scheduled jobs, the alarm action, the Secrets Manager rotation). authorize.ts holds the one that
 * authorizes and audits refusals.
 */

type HttpResult = APIGatewayProxyStructuredResultV2;

/**
 * However the invocation ended (after, onError): the access figures go out and the shared counters
 * are flushed (`always`: every time; else only when due). Used first, so it runs last.
 */
export function flushCounters(
  getContext: ContextProvider,
  options: { always: boolean },
): middy.MiddlewareObj<unknown, unknown> {
  const flush = () => flushInvocation(getContext(), options);
  return { after: flush, onError: flush };
}

/**
 * One log line per invocation of an event function: `done` at info when it succeeded, `failed` at
 * error (with the error) when it threw; each with the fields its event names and the request id.
 */
export function logInvocation<E>(
  getContext: ContextProvider,
  lines: {
    done: string;
    failed: string;
    /** The success line's fields (duration_ms and request_id follow). */
    doneFields: (event: E) => Record<string, unknown>;
    /** The failure line's fields (error and request_id follow); the event may be anything. */
    failedFields: (event: E) => Record<string, unknown>;
  },
): middy.MiddlewareObj<E, unknown> {
  const started = new WeakMap<object, number>();
  return {
    before: (request) => {
      started.set(request, getContext().clock.now());
    },
    after: (request) => {
      const ctx = getContext();
      ctx.logger.info(lines.done, {
        ...lines.doneFields(request.event),
        duration_ms: ctx.clock.now() - (started.get(request) ?? ctx.clock.now()),
        request_id: request.context?.awsRequestId,
      });
    },
    onError: (request) => {
      getContext().logger.error(lines.failed, {
        ...lines.failedFields(request.event),
        error: request.error,
        request_id: request.context?.awsRequestId,
      });
    },
  };
}

/**
 * An event of another kind than the function serves is refused (400) before any work, with the fields
 * it had instead of what was expected.
 */
export function acceptOnly<E>(kind: string, accepts: (event: E) => boolean): middy.MiddlewareObj<E, unknown> {
  return {
    before: (request) => {
      const event: unknown = request.event;
      if (accepts(request.event)) return;
      const keys = event && typeof event === "object" ? Object.keys(event).slice(0, 8).join(",") : typeof event;
      throw new ValidationError(`Not a ${kind} event`, { details: `fields: ${keys}` });
    },
  };
}

/**
 * The request body as JSON (`parsedBody`): NO_BODY when there is none, whatever the Content-Type;
 * 413 above MAX_BODY_BYTES, 400 when it is not JSON.
 */
export function jsonBody(): middy.MiddlewareObj<RouteEvent, HttpResult> {
  return {
    before: (request) => {
      const event = request.event;
      if (event.body === undefined || event.body === null || event.body === "") {
        event.parsedBody = NO_BODY;
        return;
      }
      const text = event.isBase64Encoded ? Buffer.from(event.body, "base64").toString("utf8") : event.body;
      if (Buffer.byteLength(text, "utf8") > MAX_BODY_BYTES) {
        throw new PayloadTooLargeError("Request body too large", { details: `at most ${MAX_BODY_BYTES} bytes` });
      }
      try {
        event.parsedBody = JSON.parse(text);
      } catch {
        throw new ValidationError("Malformed JSON body");
      }
    },
  };
}

export const jsonHeaders = { "content-type": "application/json", "cache-control": "no-store" };

/**
 * The one error-to-response mapping (`toErrorResponse`: status, code, client-safe message, request
 * id). A 500 is a defect, logged as an error; a 503 is an outage of Vault or DynamoDB, a warning.
 */
export function errorResponse(getContext: ContextProvider): middy.MiddlewareObj<HttpEvent, HttpResult> {
  return {
    onError: (request) => {
      const requestId = request.event.requestContext?.requestId;
      const { status, body } = toErrorResponse(request.error, requestId);
      if (status === 500) getContext().logger.error("request failed", { error: request.error, request_id: requestId });
      else if (status > 500)
        getContext().logger.warn("request failed", { error: request.error, request_id: requestId });
      request.response = { statusCode: status, headers: { ...jsonHeaders }, body: JSON.stringify(body) };
    },
  };
}

/**
 * One line per request once it is answered (after, onError). A success is in API Gateway's access log
 * (and a read in the audit trail): the line is for debugging; at info it would be a log line per cached
 * read, most of what such a read costs in CloudWatch Logs. Used first, so it runs last.
 */
export function requestLog(
  spec: Pick<RouteSpec, "method" | "path">,
  getContext: ContextProvider,
): middy.MiddlewareObj<HttpEvent, HttpResult> {
  const started = new WeakMap<object, number>();
  const line = (request: middy.Request<HttpEvent, HttpResult>) => {
    const status = request.response?.statusCode ?? 500;
    getContext().logger[status < 400 ? "debug" : "info"]("request", {
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
    after: line,
    onError: line,
  };
}
