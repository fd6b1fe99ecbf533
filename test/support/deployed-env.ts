import { createHash, randomBytes } from "node:crypto";
import { CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { inject } from "vitest";
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
  const aws = {
    region: "us-east-1",
    endpoint: services.awsEndpoint,
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  };
  const id = randomBytes(4).toString("hex");
  const secrets = new SecretsManagerClient(aws);
  const sha256 = (token: string) => createHash("sha256").update(token).digest("hex");
  const [credentials, tokens] = await Promise.all([
    secrets.send(
      new CreateSecretCommand({
        Name: `vaultops-test-${id}-vault-credentials`,
        SecretString: JSON.stringify({ token: services.vaultToken }),
      }),
    ),
    secrets.send(
      new CreateSecretCommand({
        Name: `vaultops-test-${id}-api-tokens`,
        SecretString: JSON.stringify({
          tokens: [
            { name: "test-admin", sha256: sha256(ADMIN_TOKEN), scopes: ["admin"] },
            { name: "test-read", sha256: sha256(READ_TOKEN), scopes: ["read"] },
          ],
        }),
      }),
    ),
  ]);
  const bucket = `vaultops-test-${id}-snapshots`;
  await new S3Client({ ...aws, forcePathStyle: true }).send(new CreateBucketCommand({ Bucket: bucket }));
  const key = await new KMSClient(aws).send(new CreateKeyCommand({ Description: `vaultops test ${id}` }));
  return testEnv({
    VAULT_TOKEN: "",
    VAULT_CREDENTIALS_SECRET: credentials.ARN as string,
    API_TOKEN: "",
    API_READ_TOKEN: "",
    API_TOKENS_SECRET: tokens.ARN as string,
    SNAPSHOT_BUCKET: bucket,
    SNAPSHOT_KMS_KEY_ID: key.KeyMetadata?.Arn as string,
    CLOUDWATCH_ENABLED: "true",
    EVENTS_ENABLED: "true",
    AWS_SECRETS_PREFIX: `vaultops-test-${id}`,
    ...(options.awsScope ? { CONFIG_BACKENDS: `${options.awsScope}=aws,*=vault` } : {}),
    ...options.overrides,
  });
}
