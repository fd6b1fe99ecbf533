import { bearerToken } from "@vaultops/core";
import type { APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerWithContextResult } from "aws-lambda";
import { type ContextProvider, defaultContext } from "./context";
import { lowerCaseHeaders } from "./invocation";

export type AuthorizerContext = { authenticated: boolean; principal?: string; scopes?: string };

/**
 * The API's Lambda authorizer (simple responses). It lets every request with an Authorization
 * header through and says who it is; the route's own middleware answers 401/403 with a JSON body,
 * so the same rules hold behind API Gateway and in the local runtime.
 */
export function tokenAuthorizer(getContext: ContextProvider = defaultContext) {
  return async (
    event: Pick<APIGatewayRequestAuthorizerEventV2, "headers"> & { identitySource?: string[] | null },
  ): Promise<APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext>> => {
    const header = lowerCaseHeaders(event.headers).authorization ?? event.identitySource?.[0];
    const token = bearerToken(header);
    const principal = token ? await getContext().apiTokens.verify(token) : undefined;
    return {
      isAuthorized: true,
      context: principal
        ? { authenticated: true, principal: principal.name, scopes: principal.scopes.join(" ") }
        : { authenticated: false },
    };
  };
}
