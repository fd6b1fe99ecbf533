import type { AwsClients } from "../aws/clients";
import { secretsManagerCredentials } from "../aws/secrets";
import type { Clock } from "../clock";
import type { Settings } from "../settings";
import {
  appRoleAuthenticator,
  awsIamAuthenticator,
  type CredentialSource,
  staticCredentials,
  tokenAuthenticator,
  type VaultAuthenticator,
} from "../vault/auth";

/** How the plane logs in to Vault, as the settings say: AppRole, AWS IAM or a token. */
export function vaultAuthenticator(settings: Settings, clients: AwsClients, clock: Clock): VaultAuthenticator {
  if (settings.VAULT_AUTH_METHOD === "aws")
    return awsIamAuthenticator({
      role: settings.VAULT_AWS_ROLE ?? "",
      mount: settings.VAULT_AWS_MOUNT,
      region: settings.AWS_REGION,
      stsEndpoint: settings.AWS_ENDPOINT_URL,
      serverIdHeader: settings.VAULT_AWS_HEADER_VALUE,
    });
  const credentials = vaultCredentials(settings, clients, clock);
  return settings.VAULT_AUTH_METHOD === "approle"
    ? appRoleAuthenticator(credentials, settings.VAULT_APPROLE_MOUNT)
    : tokenAuthenticator(credentials);
}

/** The credentials secret in Secrets Manager (a deploy), else the environment's (dev and tests). */
function vaultCredentials(settings: Settings, clients: AwsClients, clock: Clock): CredentialSource {
  if (settings.VAULT_CREDENTIALS_SECRET)
    return secretsManagerCredentials(clients, settings.VAULT_CREDENTIALS_SECRET, { clock });
  return staticCredentials({
    ...(settings.VAULT_TOKEN ? { token: settings.VAULT_TOKEN } : {}),
    ...(settings.VAULT_ROLE_ID ? { role_id: settings.VAULT_ROLE_ID } : {}),
    ...(settings.VAULT_SECRET_ID ? { secret_id: settings.VAULT_SECRET_ID } : {}),
  });
}
