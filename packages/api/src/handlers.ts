/** The functions that are neither a route of the route table nor a job of the schedule table. */

/** API Gateway's `$default` route and the local runtime's answer for unmatched requests (404 / 405). */
export const fallbackHandler = "functions/meta/fallback.handler";

/** Invoked by CloudWatch alarms on secret access (infra/alarms.ts). */
export const incidentHandler = "functions/alarms/incident.handler";

/** The API's Lambda authorizer (see packages/lambda/src/authorizer.ts). */
export const authorizerHandler = "functions/auth/authorizer.handler";

/**
 * How long API Gateway reuses the authorizer's answer for one Authorization header (infra/api.ts, and
 * the local gateway). With the token list re-read at most every TOKEN_LIST_TTL_SECONDS (60 s), a
 * removed token stops working within 4 + 1 = 5 minutes, however its header is spelled.
 */
export const AUTHORIZER_TTL_SECONDS = 240;

/** Invoked by Secrets Manager's own rotation schedule (infra/credential-rotation.ts), not by EventBridge. */
export const credentialRotationHandler = "functions/jobs/credential-rotation.handler";
