import { type Clock, systemClock } from "../clock";
import { VaultAuthenticationError } from "../errors";
import { memoised } from "../memoised";
import type { CredentialSource, VaultCredentials } from "../vault/auth";
import type { AwsClients } from "./clients";

/**
 * Vault credentials from Secrets Manager, cached per container. `force` (after Vault refused them,
 * or after the secret rotated) reads the secret again.
 */
export function secretsManagerCredentials(
  clients: AwsClients,
  secretId: string,
  options: { ttlMs?: number; clock?: Clock; versionStage?: string } = {},
): CredentialSource {
  const clock = options.clock ?? systemClock;
  const ttlMs = options.ttlMs ?? 5 * 60_000;
  // Concurrent cold callers share one read; a failed read is not kept.
  const credentials = memoised(clock, ttlMs, () =>
    readJsonSecret<VaultCredentials>(clients, secretId, options.versionStage),
  );
  return { get: (force = false) => credentials(force) };
}

export async function readJsonSecret<T>(
  clients: AwsClients,
  secretId: string,
  versionStage?: string,
  deadlineMs = 4_000,
): Promise<T> {
  const { GetSecretValueCommand } = await import("@aws-sdk/client-secrets-manager");
  const client = await clients.secretsManager();
  let text: string | undefined;
  try {
    const out = await client.send(
      new GetSecretValueCommand({ SecretId: secretId, ...(versionStage ? { VersionStage: versionStage } : {}) }),
      { abortSignal: AbortSignal.timeout(deadlineMs) },
    );
    text = out.SecretString;
  } catch (error) {
    throw new VaultAuthenticationError("Cannot read the Vault credentials secret", {
      cause: error,
      details: `${secretId}: ${(error as { name?: string }).name ?? "error"}`,
    });
  }
  try {
    return JSON.parse(text ?? "") as T;
  } catch {
    // The message never includes the secret's text.
    throw new VaultAuthenticationError("The Vault credentials secret is not JSON", { details: secretId });
  }
}
