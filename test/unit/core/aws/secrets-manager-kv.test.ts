import {
  BackendPermissionError,
  BackendUnavailableError,
  deadlineScope,
  OutcomeUnknownError,
  SecretsManagerKv,
} from "@vaultops/core";
import { describe, expect, it } from "vitest";

/** Secrets Manager answering every call with one error: the edge cases moto cannot produce. */
function failingWith(name: string, message = name) {
  const recorded: Array<{ op: string; ok: boolean; error?: string | undefined }> = [];
  const kv = new SecretsManagerKv({
    clients: {
      secretsManager: async () => ({
        send: async () => {
          throw Object.assign(new Error(message), { name });
        },
      }),
    } as never,
    prefix: "vaultops",
    recoveryWindowDays: 7,
    recorder: { record: (op, ok, _ms, error) => recorded.push({ op, ok, error }) },
  });
  return { kv, recorded };
}

describe("SecretsManagerKv errors", () => {
  it("maps a refusal of the plane's role to 403, counted as a failure", async () => {
    const { kv, recorded } = failingWith("AccessDeniedException");
    await expect(kv.read("prod/payments/db")).rejects.toBeInstanceOf(BackendPermissionError);
    expect(recorded).toEqual([{ op: "sm_get_secret_value", ok: false, error: "AccessDeniedException" }]);
  });

  it("maps throttling and network failures to 503 backend_unavailable", async () => {
    for (const name of ["ThrottlingException", "InternalServiceError", "TimeoutError"]) {
      const { kv } = failingWith(name);
      await expect(kv.read("prod/payments/db")).rejects.toBeInstanceOf(BackendUnavailableError);
    }
  });

  it("reads a missing secret, or one scheduled for deletion, as absent, not as an error", async () => {
    expect(await failingWith("ResourceNotFoundException").kv.read("a/b/c")).toBeUndefined();
    const deleted = failingWith(
      "InvalidRequestException",
      "You can't perform this operation on the secret because it was marked for deletion.",
    );
    expect(await deleted.kv.read("a/b/c")).toBeUndefined();
    expect(deleted.recorded[0]?.ok).toBe(true);
  });

  it("derives one version id per path and number: the check-and-set token", () => {
    const a = SecretsManagerKv.token("prod/payments/db", 3);
    expect(a).toMatch(/^vaultops-v0000000003-[0-9a-f]{16}$/);
    expect(a.length).toBeGreaterThanOrEqual(32);
    expect(a.length).toBeLessThanOrEqual(64);
    expect(SecretsManagerKv.token("prod/payments/db", 3)).toBe(a);
    expect(SecretsManagerKv.token("prod/payments/other", 3)).not.toBe(a);
  });

  /** Secrets Manager that never answers (a stalled endpoint): each call ends only when its signal aborts. */
  function stalled(deadlineMs: number) {
    const scope = deadlineScope(deadlineMs);
    const sent: string[] = [];
    const kv = new SecretsManagerKv({
      clients: {
        secretsManager: async () => ({
          send: (command: { constructor: { name: string } }, options?: { abortSignal?: AbortSignal }) => {
            sent.push(command.constructor.name);
            return new Promise((_, reject) =>
              options?.abortSignal?.addEventListener("abort", () =>
                reject(Object.assign(new Error("aborted"), { name: "AbortError" })),
              ),
            );
          },
        }),
      } as never,
      prefix: "vaultops",
      recoveryWindowDays: 7,
      deadline: scope,
    });
    return { kv, scope, sent };
  }

  it("cuts a stalled call at the operation's deadline: 503, and nothing after it runs", async () => {
    const { kv, scope } = stalled(30);
    let after = false;
    await expect(
      scope.within(async () => {
        await kv.read("a/b/c");
        after = true;
      }),
    ).rejects.toBeInstanceOf(BackendUnavailableError);
    expect(after).toBe(false);
    // Work that is not a Secrets Manager call is never cut: a change that landed is answered as done.
    expect(await scope.within(() => new Promise((r) => setTimeout(() => r("done"), 60)))).toBe("done");
  });

  it("answers a write cut after it was sent 504 outcome_unknown, after looking for it under its token", async () => {
    const { kv, scope, sent } = stalled(40);
    await expect(scope.within(() => kv.write("a/b/c", { value: "v" }, 0))).rejects.toBeInstanceOf(OutcomeUnknownError);
    expect(sent).toEqual(["CreateSecretCommand", "GetSecretValueCommand"]);
  });
});
