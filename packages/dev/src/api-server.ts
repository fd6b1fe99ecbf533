import { randomUUID } from "node:crypto";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { authorizerHandler, type RouteDefinition, routeList } from "../../../infra/routes";
import { lambdaContext, loadHandler } from "./handlers";

interface CompiledRoute {
  route: RouteDefinition;
  pattern: RegExp;
  params: string[];
}

/** `/api/v1/config/{key}` -> a regex with one capture per parameter (`{proxy+}` spans slashes). */
export function compileRoute(route: RouteDefinition): CompiledRoute {
  const params: string[] = [];
  const source = route.path
    .split("/")
    .map((segment) => {
      const match = /^\{([A-Za-z0-9_]+)(\+?)\}$/.exec(segment);
      if (!match) return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      params.push(match[1] as string);
      return match[2] ? "(.+)" : "([^/]+)";
    })
    .join("/");
  return { route, pattern: new RegExp(`^${source}$`), params };
}

/** Most specific first, as API Gateway does: literal segments beat parameters. */
const specificity = (r: RouteDefinition) => r.path.split("/").filter((s) => !s.startsWith("{")).length;

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
  const compiled = [...routeList].sort((a, b) => specificity(b) - specificity(a)).map(compileRoute);
  const server = http.createServer(async (req, res) => {
    const started = Date.now();
    const url = new URL(req.url ?? "/", "http://localhost");
    const method = (req.method ?? "GET").toUpperCase();
    try {
      const candidates = compiled.filter((c) => c.pattern.test(url.pathname));
      const match = candidates.find((c) => c.route.method === method);
      if (!match) return send(res, 404, JSON.stringify({ message: "Not Found" }));
      const values = match.pattern.exec(url.pathname)?.slice(1) ?? [];
      const pathParameters = Object.fromEntries(match.params.map((p, i) => [p, decodeURIComponent(values[i] ?? "")]));
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
        routeKey: `${match.route.method} ${match.route.path}`,
        rawPath: url.pathname,
        rawQueryString: url.search.replace(/^\?/, ""),
        headers,
        ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
        ...(match.params.length ? { pathParameters } : {}),
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
          routeKey: `${match.route.method} ${match.route.path}`,
          stage: "$default",
          time: now.toISOString(),
          timeEpoch: now.getTime(),
          authorizer: undefined as unknown,
        },
        body: body.length ? body.toString("utf8") : undefined,
        isBase64Encoded: false,
      };
      if (match.route.scope !== "public") {
        if (!headers.authorization) return send(res, 401, JSON.stringify({ message: "Unauthorized" }));
        const authorizer = await loadHandler(authorizerHandler);
        const decision = (await authorizer(
          { type: "REQUEST", routeArn: event.routeKey, ...event },
          lambdaContext("authorizer", requestId),
        )) as { isAuthorized: boolean; context?: Record<string, unknown> };
        if (!decision.isAuthorized) return send(res, 403, JSON.stringify({ message: "Forbidden" }));
        event.requestContext.authorizer = { lambda: decision.context ?? {} };
      }
      const handler = await loadHandler(match.route.handler);
      const result = (await handler(event, lambdaContext(match.route.handler, requestId))) as {
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
