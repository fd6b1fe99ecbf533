/**
 * Secrets Manager secrets the functions read (never plain environment variables):
 * - VaultCredentials: {"token": ...} or {"role_id": ..., "secret_id": ...}
 * - ApiTokens: {"tokens": [{"name", "sha256", "scopes": ["read"|"admin"]}]}: hashes only.
 * Their values are set by the operator after the first deploy (README: Deploy).
 */
/**
 * Outside production a removed stage frees the secret names at once (no 30-day recovery window), so
 * the stage can be deployed again; production keeps Secrets Manager's default window.
 */
const recovery = $app.stage === "production" ? {} : { recoveryWindowInDays: 0 };

export const vaultCredentials = new aws.secretsmanager.Secret("VaultCredentials", {
  name: `${$app.name}-${$app.stage}-vault-credentials`,
  description: "Credentials vaultops uses to log in to Vault (token or AppRole)",
  ...recovery,
});

export const apiTokens = new aws.secretsmanager.Secret("ApiTokens", {
  name: `${$app.name}-${$app.stage}-api-tokens`,
  description: "SHA-256 hashes and scopes of the management API's bearer tokens",
  ...recovery,
});
