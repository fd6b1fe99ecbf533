/**
 * How the plane logs in to Vault (`VAULT_AUTH_METHOD`), written once. Pure data: infra imports it
 * (`@vaultops/core/auth-method`) without loading the rest of core.
 */
export const vaultAuthMethods = ["approle", "aws", "token"] as const;

export type VaultAuthMethod = (typeof vaultAuthMethods)[number];

/**
 * The one default, what settings fall back on: `token`, for local runs and tests. A deploy never relies
 * on it: every stage in infra/stages.ts names its method (AppRole, whose secret_id the credential
 * rotation renews; settings refuse production without VAULT_CREDENTIALS_SECRET unless it is `aws`).
 */
export const DEFAULT_VAULT_AUTH_METHOD: VaultAuthMethod = "token";
