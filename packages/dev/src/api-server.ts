import { randomUUID } from "node:crypto";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { AUTHORIZER_TTL_SECONDS, authorizerHandler, fallbackHandler, matchRoute } from "@vaultops/api";
import { PayloadTooLargeError, toErrorResponse } from "@vaultops/core/errors";
import { MAX_BODY_BYTES } from "@vaultops/lambda";
import { gatewayAuthorizerEvent, gatewayEvent } from "./gateway-event";
import { type Invoker, sourceInvoker } from "./invoker";

/** The body, or its size alone once it passes `limit` (what is over is never kept). */
function readBody(req: IncomingMessage, limit: number): Promise<{ body: Buffer; size: number }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on("end", () => resolve({ body: size <= limit ? Buffer.concat(chunks) : Buffer.alloc(0), size }));
    req.on("error", reject);
  });
}

const send = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) => {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(body);
};

/** How long API Gateway reuses an authorizer's answer for one Authorization header (as infra/api.ts says). */
export const AUTHORIZER_TTL_MS = Number(process.env.VAULTOPS_AUTHORIZER_TTL_SECONDS ?? AUTHORIZER_TTL_SECONDS) * 1000;

/**
 * The local stand-in for API Gateway HTTP API: turns each request into a payload 2.0 event
 * (./gateway-event.ts: header names lower-cased, cookies apart, binary bodies base64), runs the authorizer function for
 * protected routes (401 without an Authorization header) and reuses its answer per header value for
 * AUTHORIZER_TTL_SECONDS, as API Gateway's authorizer cache does, then runs the route's function through the
 * invoker: in this process (`source`) or as a built bundle under the Lambda emulator (`lambda`).
 */
export async function startApiServer(options: {
  port: number;
  host?: string;
  log?: (line: string) => void;
  invoker?: Invoker;
  /**
   * A request API Gateway refuses itself (no Authorization header: 401 before the authorizer): on AWS the
   * access log's metric filter counts it; here this does, and writes its audit record.
   */
  onGatewayRefusal?: (refusal: { route: string; sourceIp: string; requestId: string }) => Promise<void>;
}) {
  const invoker = options.invoker ?? sourceInvoker();
  const decisions = new Map<string, { until: number; isAuthorized: boolean; context: Record<string, unknown> }>();
  const server = http.createServer(async (req, res) => {
    const started = Date.now();
    const url = new URL(req.url ?? "/", "http://localhost");
    const method = (req.method ?? "GET").toUpperCase();
    try {
      const { match, params: pathParameters } = matchRoute(method, url.pathname);
      // Unmatched requests go to the `$default` route's function, as in API Gateway.
      const routeKey = match ? `${match.route.method} ${match.route.path}` : "$default";
      const handlerSpec = match?.route.handler ?? fallbackHandler;
      const scope = match?.route.scope ?? "public";
      const headers: Record<string, string> = {};
      for (const [key, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers[key] = Array.isArray(value) ? value.join(",") : value;
      }
      // API Gateway refuses payloads over 10 MB; Lambda refuses invocations over 6 MB (API Gateway then
      // answers 500 on AWS). Locally a body over the API's own limit is refused here, as the route would
      // refuse it, so that no runtime ever hands a function more than Lambda would.
      const { body, size } = await readBody(req, 10 * 1024 * 1024);
      if (size > 10 * 1024 * 1024) return send(res, 413, JSON.stringify({ message: "Request Too Large" }));
      if (size > MAX_BODY_BYTES) {
        const refused = toErrorResponse(
          new PayloadTooLargeError("Request body too large", { details: `at most ${MAX_BODY_BYTES} bytes` }),
          randomUUID(),
        );
        return send(res, refused.status, JSON.stringify(refused.body));
      }
      const requestId = randomUUID();
      const event = gatewayEvent({
        method,
        path: url.pathname,
        routeKey,
        rawQueryString: url.search.replace(/^\?/, ""),
        pathParameters,
        headers,
        body,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? "127.0.0.1",
        requestId,
      });
      if (scope !== "public") {
        const identity = event.headers.authorization;
        if (!identity) {
          await options
            .onGatewayRefusal?.({ route: routeKey, sourceIp: event.requestContext.http.sourceIp, requestId })
            .catch((error: Error) => options.log?.(`[api] refusal not recorded: ${error.message}`));
          return send(res, 401, JSON.stringify({ message: "Unauthorized" }));
        }
        let decision = decisions.get(identity);
        if (!decision || decision.until <= Date.now()) {
          const answer = await invoker.invoke(authorizerHandler, gatewayAuthorizerEvent(event, identity), requestId);
          if (answer.functionError) {
            options.log?.(
              `[api] authorizer failed: ${answer.functionError.errorType}: ${answer.functionError.errorMessage}`,
            );
            return send(res, 500, JSON.stringify({ message: "Internal Server Error" }));
          }
          const result = answer.payload as { isAuthorized?: boolean; context?: Record<string, unknown> };
          decision = {
            until: Date.now() + AUTHORIZER_TTL_MS,
            isAuthorized: result?.isAuthorized === true,
            context: result?.context ?? {},
          };
          decisions.set(identity, decision);
        }
        if (!decision.isAuthorized) return send(res, 403, JSON.stringify({ message: "Forbidden" }));
        event.requestContext.authorizer = { lambda: decision.context };
      }
      const answer = await invoker.invoke(handlerSpec, event, requestId);
      if (answer.functionError) {
        // A function error is API Gateway's bare 500; the function's own log has the details.
        options.log?.(
          `[api] ${method} ${url.pathname}: ${answer.functionError.errorType}: ${answer.functionError.errorMessage}`,
        );
        return send(res, 500, JSON.stringify({ message: "Internal Server Error" }));
      }
      const result = answer.payload as {
        statusCode?: number;
        headers?: Record<string, string>;
        body?: string;
        isBase64Encoded?: boolean;
        cookies?: string[];
      };
      const payload = result.isBase64Encoded ? Buffer.from(result.body ?? "", "base64") : (result.body ?? "");
      const outHeaders: Record<string, string | string[]> = { ...(result.headers ?? {}) };
      if (result.cookies?.length) outHeaders["set-cookie"] = result.cookies;
      res.writeHead(result.statusCode ?? 200, outHeaders);
      res.end(payload);
    } catch (error) {
      // The gateway's own failure (an emulator that would not start): what API Gateway reports as 500.
      options.log?.(`[api] ${method} ${url.pathname} failed: ${(error as Error).stack ?? error}`);
      if (!res.headersSent) send(res, 500, JSON.stringify({ message: "Internal Server Error" }));
    } finally {
      if (process.env.VAULTOPS_ACCESS_LOG === "1") {
        options.log?.(`[api] ${method} ${url.pathname} ${res.statusCode} ${Date.now() - started}ms`);
      }
    }
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    /** Forgets the authorizer's cached answers (as a redeploy of the API would). */
    forgetAuthorizations: () => decisions.clear(),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
