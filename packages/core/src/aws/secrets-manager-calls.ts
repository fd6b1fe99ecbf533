import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { Clock } from "../clock";
import { systemClock } from "../clock";
import type { DeadlineScope } from "../config/backends";
import { BackendPermissionError, BackendUnavailableError } from "../errors";
import type { OperationRecorder } from "../vault/operation-recorder";
import type { AwsClients } from "./clients";
import { versionNumberOf } from "./secrets-manager-format";

/** What SecretsManagerKv is built from. */
export interface SecretsManagerKvDeps {
  clients: AwsClients;
  prefix: string;
  recoveryWindowDays: number;
  recorder?: OperationRecorder;
  clock?: Clock;
  /** The operation's deadline: every call carries its abort signal. */
  deadline?: DeadlineScope;
}

type Sender = Pick<SecretsManagerClient, "send">;

/**
 * How SecretsManagerKv calls Secrets Manager (apart from what it asks): every call bound to the
 * operation's deadline, timed, recorded and its errors mapped onto the plane's; plus the one query
 * reads and writes share, the version list.
 */
export class SecretsManagerCalls {
  readonly clock: Clock;

  constructor(readonly deps: SecretsManagerKvDeps) {
    this.clock = deps.clock ?? systemClock;
  }

  /** The secret name of a path. */
  name(path: string): string {
    return `${this.deps.prefix}/${path}`;
  }

  /**
   * Every SDK call: cut at the operation's deadline (less `reserveMs`), timed and recorded (as
   * `sm_<operation>`), errors mapped onto the plane's. A write whose answer was lost after it may have
   * been sent (cut, timed out, reset, a 5xx) is LostAnswer: the caller finds out whether it landed.
   */
  async call<T>(
    operation: string,
    fn: (client: Sender) => Promise<T>,
    options: { write?: boolean; reserveMs?: number } = {},
  ): Promise<T> {
    const client = await this.deps.clients.secretsManager();
    const abortSignal = this.deps.deadline?.signal(options.reserveMs ?? 0);
    const bound = {
      send: ((command: never) => client.send(command, abortSignal ? { abortSignal } : {})) as typeof client.send,
    };
    const started = this.clock.now();
    try {
      const out = await fn(bound);
      this.deps.recorder?.record(`sm_${operation}`, true, this.clock.now() - started);
      return out;
    } catch (error) {
      const name = (error as { name?: string }).name ?? "Error";
      // Answers (missing, deleted, conflicting) are outcomes, not failures of the backend.
      const answer = ["ResourceNotFoundException", "ResourceExistsException", "InvalidRequestException"].includes(name);
      const denied = name === "AccessDeniedException" || name === "AccessDenied";
      const known = answer || name === "ValidationException" || name === "InvalidParameterException";
      this.deps.recorder?.record(
        `sm_${operation}`,
        answer,
        this.clock.now() - started,
        answer ? undefined : `${name}`,
        answer ? undefined : denied ? "denied" : known || name === "LimitExceededException" ? "error" : "unavailable",
      );
      if (denied) throw new BackendPermissionError("Permission denied by Secrets Manager", { details: operation });
      if (
        answer ||
        name === "ValidationException" ||
        name === "InvalidParameterException" ||
        name === "LimitExceededException"
      )
        throw error;
      if (options.write && mayHaveLanded(error)) throw new LostAnswer(operation, error);
      throw new BackendUnavailableError("Secrets Manager is not available", {
        cause: error,
        details: `${operation}: ${abortSignal?.aborted ? "the operation's deadline passed" : name}`,
      });
    }
  }

  /** Every version with its number: ours from their ids, others' after ours by creation time. */
  async versionList(path: string) {
    const { ListSecretVersionIdsCommand } = await import("@aws-sdk/client-secrets-manager");
    const versions: Array<{ id: string; created: Date; stages: string[] }> = [];
    let next: string | undefined;
    do {
      const out = await this.call("list_versions", (c) =>
        c.send(
          new ListSecretVersionIdsCommand({ SecretId: this.name(path), IncludeDeprecated: true, NextToken: next }),
        ),
      );
      for (const v of out.Versions ?? [])
        if (v.VersionId)
          versions.push({ id: v.VersionId, created: v.CreatedDate ?? new Date(0), stages: v.VersionStages ?? [] });
      next = out.NextToken;
    } while (next);
    versions.sort((a, b) => a.created.getTime() - b.created.getTime());
    let n = 0;
    return versions.map((v) => {
      n = versionNumberOf(v.id) ?? n + 1;
      return { ...v, number: n };
    });
  }
}

/** A write's answer was lost after the request may have reached Secrets Manager. */
export class LostAnswer extends Error {
  constructor(
    readonly operation: string,
    cause: unknown,
  ) {
    super(`${operation}: the answer was lost`, { cause });
    this.name = "LostAnswer";
  }
}

/** A failure after the request may have reached Secrets Manager (not a refused connection). */
function mayHaveLanded(error: unknown): boolean {
  const e = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  if (["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN"].includes(e.code ?? "")) return false;
  return (
    ["AbortError", "TimeoutError", "RequestTimeout", "RequestTimeoutException"].includes(e.name ?? "") ||
    ["ECONNRESET", "EPIPE", "ETIMEDOUT"].includes(e.code ?? "") ||
    (e.$metadata?.httpStatusCode ?? 0) >= 500
  );
}

/** Whether Secrets Manager answered that the secret (or version) is missing or scheduled for deletion. */
export function isMissingSecret(error: unknown): boolean {
  const name = (error as { name?: string }).name;
  // A secret scheduled for deletion answers InvalidRequestException to reads: AWS says "marked for
  // deletion", moto "marked as deleted".
  return (
    name === "ResourceNotFoundException" ||
    (name === "InvalidRequestException" && /delet/i.test((error as Error).message ?? ""))
  );
}
