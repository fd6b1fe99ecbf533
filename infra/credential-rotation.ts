import { credentialRotationHandler } from "@vaultops/api";
import { sizedFunction } from "./function-catalogue";
import { functionDefaults } from "./functions";
import { vaultCredentials } from "./secrets";

/** Secrets Manager rotates the plane's AppRole secret_id every 30 days through this function. */
export const credentialRotationFunction = new sst.aws.Function("CredentialRotation", {
  ...functionDefaults,
  ...sizedFunction(credentialRotationHandler),
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

export const credentialRotationPermission = new aws.lambda.Permission("CredentialRotationInvoke", {
  action: "lambda:InvokeFunction",
  function: credentialRotationFunction.name,
  principal: "secretsmanager.amazonaws.com",
  sourceArn: vaultCredentials.arn,
});

/**
 * Rotation starts as soon as it is declared, and its first step needs the AppRole credentials in the
 * secret. The operator stores them after the first deploy (README: Deploy), so the rotation is only
 * declared on a deploy made with `VAULTOPS_CREDENTIAL_ROTATION=on`. It waits for its invoke permission,
 * or Secrets Manager may call a function it is not yet allowed to call.
 */
export const credentialRotation =
  process.env.VAULTOPS_CREDENTIAL_ROTATION === "on"
    ? new aws.secretsmanager.SecretRotation(
        "VaultCredentialsRotation",
        {
          secretId: vaultCredentials.id,
          rotationLambdaArn: credentialRotationFunction.arn,
          rotationRules: { automaticallyAfterDays: 30 },
        },
        { dependsOn: [credentialRotationPermission] },
      )
    : undefined;
