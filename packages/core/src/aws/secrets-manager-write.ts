import { stableJson } from "../config/kv-store";
import { BackendUnavailableError, OutcomeUnknownError, VersionConflictError } from "../errors";
import { isMissingSecret, LostAnswer, type SecretsManagerCalls } from "./secrets-manager-calls";
import { secretData, secretPayload, versionNumberOf, versionToken } from "./secrets-manager-format";

/**
 * A check-and-set write of version `cas + 1` (SecretsManagerKv.write), the longest path of the store:
 * version 1 creates the secret; a later one checks the current version, restores a secret scheduled for
 * deletion, and puts the value under the version's token. A write whose answer was lost is reconciled.
 * Conflicts (another writer's version, a secret created or gone meanwhile) are VersionConflictError.
 */
export async function writeSecretVersion(
  calls: SecretsManagerCalls,
  path: string,
  data: Record<string, unknown>,
  cas: number,
): Promise<void> {
  const sm = await import("@aws-sdk/client-secrets-manager");
  const name = calls.name(path);
  const token = versionToken(path, cas + 1);
  const payload = secretPayload(data);
  // Time kept from the deadline to find out whether a write whose answer was lost landed.
  const reserveMs = Math.min(1_000, Math.floor((calls.deps.deadline?.timeLeft() ?? 4_000) / 4));
  const send = async (final: boolean) => {
    const opts = { write: true, reserveMs: final ? 0 : reserveMs };
    if (cas === 0) {
      await calls.call(
        "create_secret",
        (c) =>
          c.send(
            new sm.CreateSecretCommand({
              Name: name,
              ...payload,
              ClientRequestToken: token,
              Description: "vaultops configuration",
            }),
          ),
        opts,
      );
      return;
    }
    // A secret scheduled for deletion takes no new version until it is restored.
    const described = await calls.call(
      "describe_secret",
      (c) => c.send(new sm.DescribeSecretCommand({ SecretId: name })),
      { reserveMs: opts.reserveMs },
    );
    // Another client's write since the caller read `cas` (not vaultops, so not held off by the
    // token): refused here; only a write in the milliseconds between this check and ours is not.
    const currentId = Object.entries(described.VersionIdsToStages ?? {}).find(([, stages]) =>
      stages.includes("AWSCURRENT"),
    )?.[0];
    const currentNumber =
      versionNumberOf(currentId) ??
      (currentId ? (await calls.versionList(path)).find((v) => v.id === currentId)?.number : undefined);
    if (currentNumber !== undefined && currentNumber !== cas && !described.DeletedDate)
      throw new VersionConflictError("Version conflict: the value was changed by another writer", {
        details: `${name}: expected version ${cas}, current is ${currentNumber}`,
      });
    if (described.DeletedDate)
      await calls.call("restore_secret", (c) => c.send(new sm.RestoreSecretCommand({ SecretId: name })), {
        reserveMs: opts.reserveMs,
      });
    await calls.call(
      "put_secret_value",
      (c) => c.send(new sm.PutSecretValueCommand({ SecretId: name, ...payload, ClientRequestToken: token })),
      opts,
    );
  };
  try {
    try {
      await send(false);
    } catch (error) {
      if (!(error instanceof LostAnswer)) throw error;
      await reconcile(calls, path, token, data, () => send(true));
    }
  } catch (error) {
    const errorName = (error as { name?: string }).name;
    // The token of version cas+1 is taken (another writer's content), or the secret exists (create).
    if (errorName === "ResourceExistsException" || (cas === 0 && errorName === "InvalidRequestException"))
      throw new VersionConflictError("Version conflict: the value was changed by another writer", {
        details: `${name}: version ${cas + 1} exists`,
      });
    if (errorName === "ResourceNotFoundException")
      throw new VersionConflictError("Version conflict: the secret is gone", { details: name });
    throw error;
  }
}

/**
 * After a write's answer was lost: the version under our token holds our content (it landed), another
 * content (another writer's version N+1: a conflict), or nothing (it did not land: sent once more,
 * with the same token). When Secrets Manager cannot tell in time: OutcomeUnknownError (504).
 */
async function reconcile(
  calls: SecretsManagerCalls,
  path: string,
  token: string,
  data: Record<string, unknown>,
  resend: () => Promise<void>,
): Promise<void> {
  const { GetSecretValueCommand } = await import("@aws-sdk/client-secrets-manager");
  const unknown = (cause: unknown) =>
    new OutcomeUnknownError("The write's outcome is unknown: Secrets Manager did not answer", {
      cause,
      details: `${calls.name(path)}: read it before writing again`,
    });
  let found: string | undefined;
  try {
    const out = await calls.call("get_secret_value", (c) =>
      c.send(new GetSecretValueCommand({ SecretId: calls.name(path), VersionId: token })),
    );
    found = stableJson(secretData(out));
  } catch (error) {
    if (!isMissingSecret(error)) throw unknown(error);
  }
  if (found === stableJson(data)) return;
  if (found !== undefined)
    throw new VersionConflictError("Version conflict: the value was changed by another writer", {
      details: `${calls.name(path)}: its next version was written by another writer`,
    });
  try {
    await resend();
  } catch (error) {
    if (error instanceof LostAnswer || error instanceof BackendUnavailableError) throw unknown(error);
    throw error;
  }
}
