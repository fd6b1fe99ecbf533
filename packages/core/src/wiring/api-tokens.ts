import { type ApiTokenRecord, ApiTokenVerifier, parseTokenList, tokenRecord } from "../auth/api-tokens";
import type { AwsClients } from "../aws/clients";
import { readJsonSecret } from "../aws/secrets";
import type { Clock } from "../clock";
import { VaultAuthenticationError } from "../errors";
import type { Settings } from "../settings";

/** The API tokens the settings name: the secret's list, then the environment's (dev and tests only). */
export function apiTokenVerifier(settings: Settings, clients: AwsClients, clock: Clock): ApiTokenVerifier {
  return new ApiTokenVerifier(
    async () => {
      const records: ApiTokenRecord[] = [];
      if (settings.API_TOKENS_SECRET) {
        const stored = await readTokenListSecret(clients, settings.API_TOKENS_SECRET);
        records.push(...parseTokenList(stored, `secret ${settings.API_TOKENS_SECRET}`));
      }
      // Refused in production by loadSettings: plain tokens from the environment are for dev and tests.
      if (settings.API_TOKENS_JSON)
        records.push(...parseTokenList(JSON.parse(settings.API_TOKENS_JSON), "API_TOKENS_JSON"));
      if (settings.API_TOKEN) records.push(tokenRecord("api-token", settings.API_TOKEN, ["admin"]));
      if (settings.API_READ_TOKEN) records.push(tokenRecord("api-read-token", settings.API_READ_TOKEN, ["read"]));
      return records;
    },
    settings.TOKEN_LIST_TTL_SECONDS * 1000,
    clock,
  );
}

/**
 * The API token list from Secrets Manager. readJsonSecret's errors name the Vault credentials secret
 * (its other reader): these name the token list's secret, with the same error class and code.
 */
async function readTokenListSecret(clients: AwsClients, secretId: string): Promise<unknown> {
  try {
    return await readJsonSecret<unknown>(clients, secretId);
  } catch (error) {
    if (!(error instanceof VaultAuthenticationError)) throw error;
    const notJson = /not JSON/.test(error.message);
    throw new VaultAuthenticationError(
      notJson ? "The API tokens secret is not JSON" : "Cannot read the API tokens secret",
      { cause: error.cause ?? error, ...(error.details !== undefined ? { details: error.details } : {}) },
    );
  }
}
