import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { matchRoute } from "../../infra/route-match";

/**
 * The API's `$default` route: 405 with `Allow` for a known path and another method, 404 otherwise,
 * both as JSON (API Gateway's own answer would be a bare 404 for both).
 */
export const handler = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
  const { allowed } = matchRoute(event.requestContext.http.method, event.rawPath);
  const headers = { "content-type": "application/json", "cache-control": "no-store" };
  if (allowed.length > 0) {
    return {
      statusCode: 405,
      headers: { ...headers, allow: allowed.join(", ") },
      body: JSON.stringify({
        error: "Method not allowed",
        code: "method_not_allowed",
        details: `allowed: ${allowed.join(", ")}`,
      }),
    };
  }
  return { statusCode: 404, headers, body: JSON.stringify({ error: "No such route", code: "not_found" }) };
};
