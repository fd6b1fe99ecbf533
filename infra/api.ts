import { AUTHORIZER_TTL_SECONDS, authorizerHandler, fallbackHandler, routeList } from "@vaultops/api";
import { functionArgs } from "./functions";

/** The HTTP API, built from the route table: one Lambda per route, the token authorizer on every protected one. */
export const api = new sst.aws.ApiGatewayV2("Api", {
  accessLog: { retention: "1 month" },
});

export const authorizer = api.addAuthorizer({
  name: "ApiTokens",
  lambda: {
    function: functionArgs(authorizerHandler),
    response: "simple",
    // API Gateway caches each Authorization header's answer, so most requests skip the authorizer; with
    // the token list's own minute, a removed token stops working within 5 minutes.
    ttl: `${AUTHORIZER_TTL_SECONDS} seconds`,
    identitySources: ["$request.header.Authorization"],
  },
});

for (const route of routeList) {
  api.route(
    `${route.method} ${route.path}`,
    functionArgs(route.handler),
    route.scope === "public" ? {} : { auth: { lambda: authorizer.id } },
  );
}

// Unmatched methods and paths get a JSON 405 / 404 instead of API Gateway's bare 404.
api.route("$default", functionArgs(fallbackHandler));
