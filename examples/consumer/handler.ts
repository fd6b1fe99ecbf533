/**
 * An example consumer of vaultops: a Lambda function that reads its database URL and an API key through
 * `VaultopsProvider` (Powertools Parameters on `@vaultops/client`) and answers them, the API key masked
 * (its length and the first 8 bytes of its SHA-256, never the value).
 *
 * Environment: VAULTOPS_URL, VAULTOPS_TOKEN, VAULTOPS_ENVIRONMENT, VAULTOPS_SERVICE; VAULTOPS_MAX_AGE
 * (seconds a value is served from memory before it is revalidated, default 30); the key names
 * DATABASE_URL_KEY (default `database_url`) and API_KEY_KEY (default `api_key`).
 *
 * The event may carry `{ "forceFetch": true }`: that invocation reads both values in full, whatever is in
 * memory (the bench compares it with a revalidation); a real function has no need of it.
 */
import { createHash } from "node:crypto";
import { ScopeError } from "@vaultops/client/source";
import { VaultopsProvider } from "@vaultops/client/source/powertools";

const required = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const maxAge = Number(process.env.VAULTOPS_MAX_AGE ?? 30);
const keys = {
  databaseUrl: process.env.DATABASE_URL_KEY ?? "database_url",
  apiKey: process.env.API_KEY_KEY ?? "api_key",
};

/** Made once per execution environment: its memory is what a warm invocation answers from. */
const provider = new VaultopsProvider({
  clientOptions: { baseUrl: required("VAULTOPS_URL"), token: required("VAULTOPS_TOKEN"), maxAttempts: 2 },
  environment: required("VAULTOPS_ENVIRONMENT"),
  service: required("VAULTOPS_SERVICE"),
});

export interface ConsumerEvent {
  forceFetch?: boolean;
}

export interface ConsumerAnswer {
  databaseUrl: string;
  apiKey: { length: number; sha256Prefix: string };
}

/** The length and an 8-byte SHA-256 prefix of a secret: enough to tell values apart, nothing to reuse. */
export const mask = (value: string) => ({
  length: value.length,
  sha256Prefix: createHash("sha256").update(value).digest("hex").slice(0, 16),
});

async function read(key: string, event: ConsumerEvent): Promise<string> {
  try {
    const value = await provider.get(key, {
      maxAge,
      ...(event.forceFetch ? { forceFetch: true } : {}),
      throwOnMissing: true,
    });
    if (value === undefined) throw new Error(`${key}: no value`);
    return value;
  } catch (error) {
    // Powertools wraps the client's typed error: say what the token lacks rather than "GetParameterError".
    const cause = (error as { cause?: unknown }).cause;
    if (cause instanceof ScopeError && cause.code === "secrets_scope_required")
      throw new Error(
        `vaultops refused "${key}": it is a sensitive value and VAULTOPS_TOKEN lacks the secrets:read scope (${cause.message})`,
        { cause },
      );
    if (cause instanceof ScopeError)
      throw new Error(`vaultops refused "${key}": VAULTOPS_TOKEN lacks the scope or path (${cause.message})`, {
        cause,
      });
    throw error;
  }
}

export async function handler(event: ConsumerEvent | null): Promise<ConsumerAnswer> {
  const e = event ?? {};
  const [databaseUrl, apiKey] = await Promise.all([read(keys.databaseUrl, e), read(keys.apiKey, e)]);
  return { databaseUrl, apiKey: mask(apiKey) };
}
