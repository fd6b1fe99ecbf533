import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import { provisionDeployedShape } from "../../packages/dev/src/deployed-shape";
import { ADMIN_TOKEN, READ_TOKEN, testEnv } from "./harness";

/**
 * A handler environment shaped as a deploy's (infra/functions.ts): the Vault credentials and the API
 * token list in Secrets Manager, snapshots in S3 under a KMS key, CloudWatch metrics and EventBridge
 * events on, and the scopes of `awsScope` routed to Secrets Manager; all on moto. Every AWS call a
 * function makes is then one a deploy would make, so the call recorder sees each right it needs.
 */
export async function deployedEnv(
  options: { awsScope?: string; overrides?: Record<string, string> } = {},
): Promise<Record<string, string>> {
  const services = inject("services");
  const shape = await provisionDeployedShape({
    endpoint: services.awsEndpoint,
    vaultToken: services.vaultToken,
    tokens: [
      { name: "test-admin", token: ADMIN_TOKEN, scopes: ["admin"] },
      { name: "test-read", token: READ_TOKEN, scopes: ["read"] },
    ],
    prefix: `vaultops-test-${randomBytes(4).toString("hex")}`,
  });
  return testEnv({
    ...shape,
    ...(options.awsScope ? { CONFIG_BACKENDS: `${options.awsScope}=aws,*=vault` } : {}),
    ...options.overrides,
  });
}
