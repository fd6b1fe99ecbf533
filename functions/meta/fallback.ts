import { matchRoute } from "@vaultops/api/route-match";
import { MethodNotAllowedError, NotFoundError, toErrorResponse } from "@vaultops/core/errors";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";

/**
 * The API's `$default` route: 405 with `Allow` for a known path and another method, 404 otherwise,
 * as JSON through the one error mapping (API Gateway's own answer would be a bare 404 for both).
 * It loads nothing else, so it stays a few KB.
 */
export const handler = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
  const { allowed } = matchRoute(event.requestContext.http.method, event.rawPath);
  const error =
    allowed.length > 0
      ? new MethodNotAllowedError("Method not allowed", { details: `allowed: ${allowed.join(", ")}` })
      : new NotFoundError("No such route");
  const { status, body } = toErrorResponse(error, event.requestContext.requestId);
  return {
    statusCode: status,
    headers: {
      "content-type": "application/json",
      "cache-control": "no-store",
      ...(allowed.length > 0 ? { allow: allowed.join(", ") } : {}),
    },
    body: JSON.stringify(body),
  };
};
