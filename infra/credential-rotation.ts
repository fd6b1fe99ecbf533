import { functionDefaults } from "./functions";
import { credentialRotationHandler } from "./schedules";
import { vaultCredentials } from "./secrets";

/** Secrets Manager rotates the plane's AppRole secret_id every 30 days through this function. */
export const credentialRotationFunction = new sst.aws.Function("CredentialRotation", {
  ...functionDefaults,
  handler: credentialRotationHandler,
  timeout: "60 seconds",
  permissions: [
    ...functionDefaults.permissions,
    {
      actions: [
        "secretsmanager:DescribeSecret",
        "secretsmanager:PutSecretValue",
        "secretsmanager:UpdateSecretVersionStage",
      ],
      resources: [vaultCredentials.arn],
    },
  ],
});

new aws.lambda.Permission("CredentialRotationInvoke", {
  action: "lambda:InvokeFunction",
  function: credentialRotationFunction.name,
  principal: "secretsmanager.amazonaws.com",
  sourceArn: vaultCredentials.arn,
});

export const credentialRotation = new aws.secretsmanager.SecretRotation("VaultCredentialsRotation", {
  secretId: vaultCredentials.id,
  rotationLambdaArn: credentialRotationFunction.arn,
  rotationRules: { automaticallyAfterDays: 30 },
});
