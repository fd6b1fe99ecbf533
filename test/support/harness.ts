import { randomBytes, randomUUID } from "node:crypto";
import { appendFileSync } from "node:fs";
import {
  AwsClients,
  type ContextOverrides,
  createContext,
  ensureTable,
  loadSettings,
  type VaultopsContext,
} from "@vaultops/core";
import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { inject } from "vitest";
import { gatewayEvent } from "../../packages/dev/src/gateway-event";

export const ADMIN_TOKEN = "test-admin-token";

/** A fresh secret value, registered so that the run's log scan can prove it never reached a log. */
export function secretValue(label = "secret"): string {
  const value = `${label}-${randomBytes(12).toString("hex")}`;
  registerSecret(value);
  return value;
}

export function registerSecret(value: string): void {
  if (process.env.VAULTOPS_TEST_SECRETS) appendFileSync(process.env.VAULTOPS_TEST_SECRETS, `${value}\n`);
}
export const READ_TOKEN = "test-read-token";

/** A handler environment on the shared services, with a table of its own. */
export async function testEnv(overrides: Record<string, string> = {}): Promise<Record<string, string>> {
  const services = inject("services");
  const env: Record<string, string> = {
    STAGE: "test",
    VAULT_ADDR: services.vaultAddr,
    VAULT_AUTH_METHOD: "token",
    VAULT_TOKEN: services.vaultToken,
    TABLE_NAME: `vaultops-test-${randomBytes(4).toString("hex")}`,
    DYNAMODB_ENDPOINT: services.dynamodbEndpoint,
    AWS_ENDPOINT_URL: services.awsEndpoint,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "testing",
    AWS_SECRET_ACCESS_KEY: "testing",
    API_TOKEN: ADMIN_TOKEN,
    API_READ_TOKEN: READ_TOKEN,
    CLOUDWATCH_ENABLED: "false",
    EVENTS_ENABLED: "false",
    LOG_LEVEL: "error",
    VAULT_DEADLINE_MS: "1500",
    VAULT_REQUEST_TIMEOUT_MS: "1000",
    // The run's AWS call log (vitest.config.ts), for functions in other processes (the emulator).
    ...(process.env.VAULTOPS_AWS_CALL_LOG ? { VAULTOPS_AWS_CALL_LOG: process.env.VAULTOPS_AWS_CALL_LOG } : {}),
    ...overrides,
  };
  process.env.AWS_ACCESS_KEY_ID ??= "testing";
  process.env.AWS_SECRET_ACCESS_KEY ??= "testing";
  await ensureTable(
    new AwsClients({ region: "us-east-1", dynamodb: services.dynamodbEndpoint }),
    env.TABLE_NAME as string,
  );
  return env;
}

export function contextFor(env: Record<string, string>, overrides: ContextOverrides = {}): VaultopsContext {
  return createContext(loadSettings(env), overrides);
}

/** An API Gateway HTTP API (payload v2) event, as the authorizer would pass it on (packages/dev/src/gateway-event.ts). */
export function httpEvent(options: {
  method?: string;
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
  principal?: { name: string; scopes: string } | null;
  /** The route's path parameters, as API Gateway extracts them (e.g. `{ key: "db" }`). */
  pathParams?: Record<string, string>;
}) {
  const principal = options.principal === undefined ? { name: "test-admin", scopes: "admin" } : options.principal;
  return gatewayEvent({
    method: options.method ?? "GET",
    path: options.path,
    ...(options.query ? { query: options.query } : {}),
    ...(options.pathParams ? { pathParameters: options.pathParams } : {}),
    ...(options.headers ? { headers: options.headers } : {}),
    ...(options.body !== undefined ? { body: options.body } : {}),
    apiId: "test",
    domainName: "test.local",
    userAgent: "vitest",
    authorizer: principal ? { authenticated: true, principal: principal.name, scopes: principal.scopes } : null,
  });
}

/** POST /api/v1/config with a JSON body, as the admin test principal unless told otherwise. */
export function createEvent(body: Record<string, unknown>, principal?: { name: string; scopes: string } | null) {
  return httpEvent({
    method: "POST",
    path: "/api/v1/config",
    body: JSON.stringify(body),
    ...(principal === undefined ? {} : { principal }),
  });
}

type HandlerFactory = (getContext?: () => VaultopsContext) => (event: never, context: never) => Promise<unknown>;

/** Calls a route's real handler (middy stack included) with a given context. */
export async function invoke(
  createHandler: HandlerFactory,
  ctx: VaultopsContext,
  event: ReturnType<typeof httpEvent>,
): Promise<{ status: number; body: Record<string, unknown>; text: string; headers: Record<string, string> }> {
  const handler = createHandler(() => ctx);
  const result = (await handler(
    event as never,
    { awsRequestId: randomUUID() } as never,
  )) as APIGatewayProxyStructuredResultV2;
  const text = result.body ?? "";
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // text responses (Prometheus)
  }
  return { status: result.statusCode ?? 200, body, text, headers: (result.headers ?? {}) as Record<string, string> };
}

/** Plain HTTP to Vault for test setup and for checking what vaultops wrote (not through vaultops). */
export async function vaultApi(
  addr: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${addr}/v1/${path.replace(/^\//, "")}`, {
    method,
    headers: { "X-Vault-Token": token, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}
