import { randomUUID } from "node:crypto";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { matchRoute } from "../../../infra/route-match";
import { authorizerHandler, fallbackHandler } from "../../../infra/routes";
import { lambdaContext, loadHandler } from "./handlers";

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

const send = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) => {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(body);
};

/**
 * The local stand-in for API Gateway HTTP API: turns each request into a payload v2 event, runs the
 * real authorizer for protected routes (401 without an Authorization header, as API Gateway does),
 * and calls the route's real handler.
 */
export async function startApiServer(options: { port: number; host?: string; log?: (line: string) => void }) {
  const server = http.createServer(async (req, res) => {
    const started = Date.now();
    const url = new URL(req.url ?? "/", "http://localhost");
    const method = (req.method ?? "GET").toUpperCase();
    try {
      const { match, params: pathParameters } = matchRoute(method, url.pathname);
      // Unmatched requests go to the `$default` route's handler, as in API Gateway.
      const routeKey = match ? `${match.route.method} ${match.route.path}` : "$default";
      const handlerSpec = match?.route.handler ?? fallbackHandler;
      const scope = match?.route.scope ?? "public";
      const headers: Record<string, string> = {};
      for (const [key, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers[key.toLowerCase()] = Array.isArray(value) ? value.join(",") : value;
      }
      const query: Record<string, string> = {};
      for (const [key, value] of url.searchParams) query[key] = key in query ? `${query[key]},${value}` : value;
      // API Gateway caps payloads at 10 MB; the handlers enforce their own, smaller limit.
      const body = await readBody(req, 10 * 1024 * 1024);
      const requestId = randomUUID();
      const now = new Date();
      const event = {
        version: "2.0",
        routeKey,
        rawPath: url.pathname,
        rawQueryString: url.search.replace(/^\?/, ""),
        headers,
        ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
        ...(Object.keys(pathParameters).length ? { pathParameters } : {}),
        requestContext: {
          accountId: "000000000000",
          apiId: "local",
          domainName: headers.host ?? "localhost",
          domainPrefix: "local",
          http: {
            method,
            path: url.pathname,
            protocol: `HTTP/${req.httpVersion}`,
            sourceIp: req.socket.remoteAddress ?? "127.0.0.1",
            userAgent: headers["user-agent"] ?? "",
          },
          requestId,
          routeKey,
          stage: "$default",
          time: now.toISOString(),
          timeEpoch: now.getTime(),
          authorizer: undefined as unknown,
        },
        body: body.length ? body.toString("utf8") : undefined,
        isBase64Encoded: false,
      };
      if (scope !== "public") {
        if (!headers.authorization) return send(res, 401, JSON.stringify({ message: "Unauthorized" }));
        const authorizer = await loadHandler(authorizerHandler);
        const decision = (await authorizer(
          { type: "REQUEST", routeArn: event.routeKey, ...event },
          lambdaContext("authorizer", requestId),
        )) as { isAuthorized: boolean; context?: Record<string, unknown> };
        if (!decision.isAuthorized) return send(res, 403, JSON.stringify({ message: "Forbidden" }));
        event.requestContext.authorizer = { lambda: decision.context ?? {} };
      }
      const handler = await loadHandler(handlerSpec);
      const result = (await handler(event, lambdaContext(handlerSpec, requestId))) as {
        statusCode?: number;
        headers?: Record<string, string>;
        body?: string;
        isBase64Encoded?: boolean;
      };
      const payload = result.isBase64Encoded ? Buffer.from(result.body ?? "", "base64") : (result.body ?? "");
      res.writeHead(result.statusCode ?? 200, result.headers ?? {});
      res.end(payload);
    } catch (error) {
      // A handler that throws is what Lambda reports as an internal error.
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
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
