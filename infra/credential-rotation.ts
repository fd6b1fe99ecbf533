import { credentialRotationHandler } from "@vaultops/api";
import { functionArgs, stage } from "./functions";
import { vaultCredentials } from "./secrets";

/** Secrets Manager rotates the plane's AppRole secret_id every 30 days through this function. */
export const credentialRotationFunction = new sst.aws.Function(
  "CredentialRotation",
  functionArgs(credentialRotationHandler),
);

export const credentialRotationPermission = new aws.lambda.Permission("CredentialRotationInvoke", {
  action: "lambda:InvokeFunction",
  function: credentialRotationFunction.name,
  principal: "secretsmanager.amazonaws.com",
  sourceArn: vaultCredentials.arn,
});

/**
 * Rotation starts as soon as it is declared, and its first step needs the AppRole credentials in the
 * secret. The operator stores them after the first deploy (README: Deploy), then turns on the stage's
 * `credentialRotation` in infra/stages.ts. It waits for its invoke permission, or Secrets Manager may
 * call a function it is not yet allowed to call.
 */
export const credentialRotation = stage.credentialRotation
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
