import middy from "@middy/core";
import httpHeaderNormalizer from "@middy/http-header-normalizer";
import { functionName } from "@vaultops/api/function-name";
import { authorizerHandler } from "@vaultops/api/handlers";
import { asFunction, bearerToken } from "@vaultops/core";
import type {
  APIGatewayRequestAuthorizerEventV2,
  APIGatewaySimpleAuthorizerWithContextResult,
  Context,
} from "aws-lambda";
import { type ContextProvider, defaultContext } from "./context";

export type AuthorizerContext = {
  authenticated: boolean;
  principal?: string;
  /** Space-separated, implied scopes included. */
  scopes?: string;
  /** Space-separated path patterns; absent: every path. */
  paths?: string;
  /** Epoch milliseconds: the route refuses the token after it, whatever API Gateway cached. */
  expires_at?: number;
  /** Why a request is not authenticated: no token, an unknown one, an expired one. */
  reason?: "missing" | "unknown" | "expired";
};

/**
 * The API's Lambda authorizer (simple responses). It lets every request with an Authorization
 * header through and says who it is (or why not); the route's own middleware answers 401/403 with
 * a JSON body, audits and counts it, so the same rules hold behind API Gateway and locally.
 */
export function tokenAuthorizer(getContext: ContextProvider = defaultContext) {
  const name = functionName(authorizerHandler);
  type Event = Pick<APIGatewayRequestAuthorizerEventV2, "headers"> & { identitySource?: string[] | null };
  type Result = APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext>;
  const handler = middy<Event, Result>(async (event: Event): Promise<Result> => {
    // Header names compared without case (API Gateway lower-cases them; SAM's sample events do not).
    const token = bearerToken(event.headers?.authorization ?? event.identitySource?.[0]);
    if (!token) return { isAuthorized: true, context: { authenticated: false, reason: "missing" } };
    const result = await getContext().apiTokens.check(token);
    if (!result.ok) {
      return {
        isAuthorized: true,
        context: { authenticated: false, reason: result.reason, ...(result.name ? { principal: result.name } : {}) },
      };
    }
    const { principal } = result;
    return {
      isAuthorized: true,
      context: {
        authenticated: true,
        principal: principal.name,
        scopes: principal.scopes.join(" "),
        ...(principal.paths ? { paths: principal.paths.join(" ") } : {}),
        ...(principal.expiresAt !== undefined ? { expires_at: principal.expiresAt } : {}),
      },
    };
  }).use(httpHeaderNormalizer());
  return (event: Event, lambdaContext?: Pick<Context, "awsRequestId">): Promise<Result> =>
    asFunction(name, () => handler(event, (lambdaContext ?? {}) as Context));
}
