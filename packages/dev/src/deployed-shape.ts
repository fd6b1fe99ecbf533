import { createHash, randomBytes } from "node:crypto";
import { CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";

/**
 * The AWS resources a deploy gives the functions (infra/functions.ts), made on an AWS-API server
 * (moto): the Vault credentials and the API token list in Secrets Manager, a snapshot bucket and its
 * KMS key. Returns the settings that point the functions at them, with CloudWatch metrics and
 * EventBridge events on: every AWS call a function then makes is one a deploy would make.
 */
export async function provisionDeployedShape(options: {
  endpoint: string;
  vaultToken: string;
  tokens: Array<{ name: string; token: string; scopes: string[] }>;
  /** Names start with this (default: a random one). */
  prefix?: string;
}): Promise<Record<string, string>> {
  const aws = {
    region: "us-east-1",
    endpoint: options.endpoint,
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  };
  const prefix = options.prefix ?? `vaultops-${randomBytes(4).toString("hex")}`;
  const secrets = new SecretsManagerClient(aws);
  const sha256 = (token: string) => createHash("sha256").update(token).digest("hex");
  const [credentials, tokens] = await Promise.all([
    secrets.send(
      new CreateSecretCommand({
        Name: `${prefix}-vault-credentials`,
        SecretString: JSON.stringify({ token: options.vaultToken }),
      }),
    ),
    secrets.send(
      new CreateSecretCommand({
        Name: `${prefix}-api-tokens`,
        SecretString: JSON.stringify({
          tokens: options.tokens.map((t) => ({ name: t.name, sha256: sha256(t.token), scopes: t.scopes })),
        }),
      }),
    ),
  ]);
  const bucket = `${prefix}-snapshots`;
  await new S3Client({ ...aws, forcePathStyle: true }).send(new CreateBucketCommand({ Bucket: bucket }));
  const key = await new KMSClient(aws).send(new CreateKeyCommand({ Description: `vaultops ${prefix}` }));
  return {
    VAULT_TOKEN: "",
    VAULT_CREDENTIALS_SECRET: credentials.ARN as string,
    API_TOKEN: "",
    API_READ_TOKEN: "",
    API_TOKENS_SECRET: tokens.ARN as string,
    SNAPSHOT_BUCKET: bucket,
    SNAPSHOT_KMS_KEY_ID: key.KeyMetadata?.Arn as string,
    CLOUDWATCH_ENABLED: "true",
    EVENTS_ENABLED: "true",
    AWS_SECRETS_PREFIX: prefix,
  };
}
