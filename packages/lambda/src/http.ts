import middy from "@middy/core";
import httpHeaderNormalizer from "@middy/http-header-normalizer";
import { functionName } from "@vaultops/api/function-name";
import { asFunction } from "@vaultops/core";
import type { APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import type { ApiRequest, HttpEvent, RouteEvent, RouteFn, RouteSpec } from "./api-request";
import { authorization } from "./authorize";
import { type ContextProvider, defaultContext } from "./context";
import { errorResponse, flushCounters, jsonBody, jsonHeaders, requestLog } from "./middlewares";

/**
 * Builds a route's Lambda handler: a function that maps a request to a core call and the result to a
 * response, inside the middy stack. In the order they run before the route: the request's log line
 * (written last, once answered), the counter flush (after, onError), header names lower-cased
 * (@middy/http-header-normalizer), the one error response, authorize() on the route (and the audit of
 * every refusal), the JSON body.
 */
export function httpRoute(spec: RouteSpec, fn: RouteFn) {
  return (getContext: ContextProvider = defaultContext) => {
    const base = async (event: RouteEvent, lambdaContext: Context): Promise<APIGatewayProxyStructuredResultV2> => {
      const ctx = getContext();
      const principal = event.principal;
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
        headers: (event.headers ?? {}) as Record<string, string>,
        body: event.parsedBody,
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
      if (result.status === 304) {
        // Not Modified: the headers a 200 would have (ETag, Cache-Control), no body and so no Content-Type.
        const { "content-type": _type, ...headers } = jsonHeaders;
        return { statusCode: 304, headers: { ...headers, ...result.headers } };
      }
      return {
        statusCode: result.status,
        headers: { ...jsonHeaders, ...result.headers },
        body: result.body === undefined ? "" : JSON.stringify(result.body),
      };
    };

    const handler = middy<RouteEvent, APIGatewayProxyStructuredResultV2>(base)
      .use(requestLog(spec, getContext))
      .use(flushCounters(getContext, { always: false }))
      .use(httpHeaderNormalizer())
      .use(errorResponse(getContext))
      .use(authorization(spec, getContext))
      .use(jsonBody());
    if (!spec.handler) return handler;
    const name = functionName(spec.handler);
    return (event: HttpEvent, lambdaContext: Context) => asFunction(name, () => handler(event, lambdaContext));
  };
}
