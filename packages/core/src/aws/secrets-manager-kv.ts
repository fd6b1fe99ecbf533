import { createHash } from "node:crypto";
import type { Clock } from "../clock";
import { systemClock } from "../clock";
import type { DeadlineScope } from "../config/backends";
import {
  BackendPermissionError,
  BackendUnavailableError,
  OutcomeUnknownError,
  VaultSecretNotFoundError,
  VersionConflictError,
} from "../errors";
import type { OperationRecorder } from "../vault/gateway";
import {
  type KvMetadata,
  type KvSecret,
  type KvStore,
  type KvVersionInfo,
  SENSITIVE_MARK,
  stableJson,
} from "../vault/kv2";
import type { AwsClients } from "./clients";

/**
 * Configurations in AWS Secrets Manager behind the same KvStore port as Vault KV v2. A path
 * `prod/payments/db` is the secret `{prefix}/prod/payments/db`, holding the same JSON as on Vault
 * (`{"value", "is_encrypted", "created_at"}`), so either side's own clients read it.
 *
 * Versions: every version vaultops writes has the version id `vaultops-v<10 digits>-<path hash>`
 * (PutSecretValue's ClientRequestToken), so its number is in its id. Check-and-set is the token:
 * two writers of version N+1 send the same token, and Secrets Manager refuses the second one's
 * different content (ResourceExistsException: 409); a retry of a lost answer with the same content
 * is the same write. Versions written by other clients (random ids) are numbered after ours, by
 * creation time. A delete schedules the secret's deletion (`recoveryWindowDays`); a create restores
 * it first; purge deletes it without recovery.
 */
export class SecretsManagerKv implements KvStore {
  readonly mount: string;
  private readonly clock: Clock;

  constructor(
    private readonly deps: {
      clients: AwsClients;
      prefix: string;
      recoveryWindowDays: number;
      recorder?: OperationRecorder;
      clock?: Clock;
      /** The operation's deadline: every call carries its abort signal. */
      deadline?: DeadlineScope;
    },
  ) {
    this.mount = deps.prefix;
    this.clock = deps.clock ?? systemClock;
  }

  private name(path: string): string {
    return `${this.deps.prefix}/${path}`;
  }

  /** The version id (and idempotency token) of version `n` of a path. */
  static token(path: string, n: number): string {
    return `vaultops-v${String(n).padStart(10, "0")}-${createHash("sha256").update(path).digest("hex").slice(0, 16)}`;
  }

  private static numberOf(versionId: string | undefined): number | undefined {
    const match = /^vaultops-v(\d{10})-[0-9a-f]{16}$/.exec(versionId ?? "");
    return match ? Number(match[1]) : undefined;
  }

  /**
   * Every SDK call: cut at the operation's deadline (less `reserveMs`), timed and recorded (as
   * `sm_<operation>`), errors mapped onto the plane's. A write whose answer was lost after it may have
   * been sent (cut, timed out, reset, a 5xx) is LostAnswer: the caller finds out whether it landed.
   */
  private async call<T>(
    operation: string,
    fn: (client: Pick<import("@aws-sdk/client-secrets-manager").SecretsManagerClient, "send">) => Promise<T>,
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
      if (options.write && SecretsManagerKv.mayHaveLanded(error)) throw new LostAnswer(operation, error);
      throw new BackendUnavailableError("Secrets Manager is not available", {
        cause: error,
        details: `${operation}: ${abortSignal?.aborted ? "the operation's deadline passed" : name}`,
      });
    }
  }

  /** A failure after the request may have reached Secrets Manager (not a refused connection). */
  private static mayHaveLanded(error: unknown): boolean {
    const e = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
    if (["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN"].includes(e.code ?? "")) return false;
    return (
      ["AbortError", "TimeoutError", "RequestTimeout", "RequestTimeoutException"].includes(e.name ?? "") ||
      ["ECONNRESET", "EPIPE", "ETIMEDOUT"].includes(e.code ?? "") ||
      (e.$metadata?.httpStatusCode ?? 0) >= 500
    );
  }

  private static missing(error: unknown): boolean {
    const name = (error as { name?: string }).name;
    // A secret scheduled for deletion answers InvalidRequestException to reads: AWS says "marked for
    // deletion", moto "marked as deleted".
    return (
      name === "ResourceNotFoundException" ||
      (name === "InvalidRequestException" && /delet/i.test((error as Error).message ?? ""))
    );
  }

  /** The secret's string as data: our JSON object as it is; anything else as another client's shape. */
  private static data(out: { SecretString?: string; SecretBinary?: Uint8Array }): Record<string, unknown> {
    if (out.SecretString !== undefined) {
      try {
        const parsed = JSON.parse(out.SecretString) as unknown;
        if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
      } catch {
        // a plain string: another client's shape
      }
      return { secret_string: out.SecretString };
    }
    return { secret_binary_base64: Buffer.from(out.SecretBinary ?? new Uint8Array()).toString("base64") };
  }

  /**
   * What a write sends for `data`: our JSON; or, for data read from another client's plain string or
   * binary secret (`{secret_string}`, `{secret_binary_base64}`), that string or those bytes again, so a
   * rollback restores such a version exactly as it was.
   */
  private static payload(data: Record<string, unknown>): { SecretString: string } | { SecretBinary: Uint8Array } {
    const keys = Object.keys(data);
    if (keys.length === 1 && typeof data.secret_string === "string") return { SecretString: data.secret_string };
    if (keys.length === 1 && typeof data.secret_binary_base64 === "string")
      return { SecretBinary: Buffer.from(data.secret_binary_base64, "base64") };
    return { SecretString: JSON.stringify(data) };
  }

  /** Every version with its number: ours from their ids, others' after ours by creation time. */
  private async versionList(path: string) {
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
      n = SecretsManagerKv.numberOf(v.id) ?? n + 1;
      return { ...v, number: n };
    });
  }

  /** Whether the secret carries the plane's sensitive tag (DescribeSecret: reads never answer tags). */
  private async marked(path: string): Promise<boolean> {
    const { DescribeSecretCommand } = await import("@aws-sdk/client-secrets-manager");
    const described = await this.call("describe_secret", (c) =>
      c.send(new DescribeSecretCommand({ SecretId: this.name(path) })),
    );
    return SecretsManagerKv.hasMark(described.Tags);
  }

  private static hasMark(tags: Array<{ Key?: string; Value?: string }> | undefined): boolean {
    return (tags ?? []).some((t) => t.Key === SENSITIVE_MARK.aws && t.Value === "true");
  }

  /**
   * A version's data, with the key's sensitive mark when the data says it is plain (a sensitive
   * version needs no mark to be withheld; a plain one costs a DescribeSecret, and is cached after).
   */
  async read(path: string, version?: number): Promise<KvSecret | undefined> {
    const secret = await this.readData(path, version);
    if (!secret || (secret.data.is_encrypted !== false && secret.data.is_encrypted !== "false")) return secret;
    try {
      return { ...secret, keySensitive: await this.marked(path) };
    } catch (error) {
      if (SecretsManagerKv.missing(error)) return undefined;
      throw error;
    }
  }

  private async readData(path: string, version?: number): Promise<KvSecret | undefined> {
    const { GetSecretValueCommand } = await import("@aws-sdk/client-secrets-manager");
    const get = (versionId?: string) =>
      this.call("get_secret_value", (c) =>
        c.send(
          new GetSecretValueCommand({ SecretId: this.name(path), ...(versionId ? { VersionId: versionId } : {}) }),
        ),
      );
    try {
      const out = await get(version ? SecretsManagerKv.token(path, version) : undefined);
      let number = version ?? SecretsManagerKv.numberOf(out.VersionId);
      if (number === undefined) number = (await this.versionList(path)).find((v) => v.id === out.VersionId)?.number;
      return {
        data: SecretsManagerKv.data(out),
        version: number ?? 1,
        createdAt: (out.CreatedDate ?? new Date(this.clock.now())).toISOString(),
      };
    } catch (error) {
      if (!SecretsManagerKv.missing(error)) throw error;
      if (!version) return undefined;
      // Version N of another client's numbering: find its id.
      const listed = await this.versionList(path).catch(() => []);
      const id = listed.find((v) => v.number === version)?.id;
      if (!id) return undefined;
      try {
        const out = await get(id);
        return { data: SecretsManagerKv.data(out), version, createdAt: (out.CreatedDate ?? new Date(0)).toISOString() };
      } catch (again) {
        if (SecretsManagerKv.missing(again)) return undefined;
        throw again;
      }
    }
  }

  async metadata(path: string): Promise<KvMetadata | undefined> {
    const { DescribeSecretCommand } = await import("@aws-sdk/client-secrets-manager");
    let described: {
      CreatedDate?: Date;
      LastChangedDate?: Date;
      DeletedDate?: Date;
      Tags?: Array<{ Key?: string; Value?: string }>;
    };
    try {
      described = await this.call("describe_secret", (c) =>
        c.send(new DescribeSecretCommand({ SecretId: this.name(path) })),
      );
    } catch (error) {
      if (SecretsManagerKv.missing(error)) return undefined;
      throw error;
    }
    const deleted = described.DeletedDate !== undefined;
    const listed = await this.versionList(path);
    const current = listed.find((v) => v.stages.includes("AWSCURRENT")) ?? listed[listed.length - 1];
    const versions: KvVersionInfo[] = listed
      .map((v) => ({
        version: v.number,
        created_at: v.created.toISOString(),
        deletion_time: deleted ? (described.DeletedDate as Date).toISOString() : null,
        // A scheduled deletion applies to the secret; a version without labels is deprecated, not deleted.
        deleted,
        destroyed: false,
      }))
      .sort((a, b) => b.version - a.version);
    return {
      currentVersion: current?.number ?? 0,
      createdAt: (described.CreatedDate ?? new Date(0)).toISOString(),
      updatedAt: (described.LastChangedDate ?? described.CreatedDate ?? new Date(0)).toISOString(),
      versions,
      // The mark as Vault's custom metadata shows it: snapshots keep it the same way for both backends.
      customMetadata: SecretsManagerKv.hasMark(described.Tags) ? { [SENSITIVE_MARK.vault]: "true" } : null,
      keySensitive: SecretsManagerKv.hasMark(described.Tags),
    };
  }

  async current(path: string): Promise<KvVersionInfo | undefined> {
    const meta = await this.metadata(path);
    if (!meta) return undefined;
    return meta.versions.find((v) => v.version === meta.currentVersion) ?? meta.versions[0];
  }

  async write(
    path: string,
    data: Record<string, unknown>,
    cas: number,
  ): Promise<{ version: number; createdAt: string }> {
    const sm = await import("@aws-sdk/client-secrets-manager");
    const token = SecretsManagerKv.token(path, cas + 1);
    const payload = SecretsManagerKv.payload(data);
    // Time kept from the deadline to find out whether a write whose answer was lost landed.
    const reserveMs = Math.min(1_000, Math.floor((this.deps.deadline?.timeLeft() ?? 4_000) / 4));
    const send = async (final: boolean) => {
      const opts = { write: true, reserveMs: final ? 0 : reserveMs };
      if (cas === 0) {
        await this.call(
          "create_secret",
          (c) =>
            c.send(
              new sm.CreateSecretCommand({
                Name: this.name(path),
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
      const described = await this.call(
        "describe_secret",
        (c) => c.send(new sm.DescribeSecretCommand({ SecretId: this.name(path) })),
        { reserveMs: opts.reserveMs },
      );
      // Another client's write since the caller read `cas` (not vaultops, so not held off by the
      // token): refused here; only a write in the milliseconds between this check and ours is not.
      const currentId = Object.entries(described.VersionIdsToStages ?? {}).find(([, stages]) =>
        stages.includes("AWSCURRENT"),
      )?.[0];
      const currentNumber =
        SecretsManagerKv.numberOf(currentId) ??
        (currentId ? (await this.versionList(path)).find((v) => v.id === currentId)?.number : undefined);
      if (currentNumber !== undefined && currentNumber !== cas && !described.DeletedDate)
        throw new VersionConflictError("Version conflict: the value was changed by another writer", {
          details: `${this.name(path)}: expected version ${cas}, current is ${currentNumber}`,
        });
      if (described.DeletedDate)
        await this.call("restore_secret", (c) => c.send(new sm.RestoreSecretCommand({ SecretId: this.name(path) })), {
          reserveMs: opts.reserveMs,
        });
      await this.call(
        "put_secret_value",
        (c) =>
          c.send(new sm.PutSecretValueCommand({ SecretId: this.name(path), ...payload, ClientRequestToken: token })),
        opts,
      );
    };
    try {
      try {
        await send(false);
      } catch (error) {
        if (!(error instanceof LostAnswer)) throw error;
        await this.reconcile(path, token, data, () => send(true));
      }
    } catch (error) {
      const name = (error as { name?: string }).name;
      // The token of version cas+1 is taken (another writer's content), or the secret exists (create).
      if (name === "ResourceExistsException" || (cas === 0 && name === "InvalidRequestException"))
        throw new VersionConflictError("Version conflict: the value was changed by another writer", {
          details: `${this.name(path)}: version ${cas + 1} exists`,
        });
      if (name === "ResourceNotFoundException")
        throw new VersionConflictError("Version conflict: the secret is gone", { details: this.name(path) });
      throw error;
    }
    // The version's own creation time, as later reads show it (best effort: the write is done).
    const written = await this.read(path, cas + 1).catch(() => undefined);
    return { version: cas + 1, createdAt: written?.createdAt ?? new Date(this.clock.now()).toISOString() };
  }

  /**
   * After a write's answer was lost: the version under our token holds our content (it landed), another
   * content (another writer's version N+1: a conflict), or nothing (it did not land: sent once more,
   * with the same token). When Secrets Manager cannot tell in time: OutcomeUnknownError (504).
   */
  private async reconcile(
    path: string,
    token: string,
    data: Record<string, unknown>,
    resend: () => Promise<void>,
  ): Promise<void> {
    const { GetSecretValueCommand } = await import("@aws-sdk/client-secrets-manager");
    const unknown = (cause: unknown) =>
      new OutcomeUnknownError("The write's outcome is unknown: Secrets Manager did not answer", {
        cause,
        details: `${this.name(path)}: read it before writing again`,
      });
    let found: string | undefined;
    try {
      const out = await this.call("get_secret_value", (c) =>
        c.send(new GetSecretValueCommand({ SecretId: this.name(path), VersionId: token })),
      );
      found = stableJson(SecretsManagerKv.data(out));
    } catch (error) {
      if (!SecretsManagerKv.missing(error)) throw unknown(error);
    }
    if (found === stableJson(data)) return;
    if (found !== undefined)
      throw new VersionConflictError("Version conflict: the value was changed by another writer", {
        details: `${this.name(path)}: its next version was written by another writer`,
      });
    try {
      await resend();
    } catch (error) {
      if (error instanceof LostAnswer || error instanceof BackendUnavailableError) throw unknown(error);
      throw error;
    }
  }

  async list(folder: string): Promise<string[]> {
    return (await this.listEntries(folder)).filter((k) => !k.endsWith("/"));
  }

  async listEntries(folder: string): Promise<string[]> {
    const { ListSecretsCommand } = await import("@aws-sdk/client-secrets-manager");
    const base = folder ? `${this.name(folder.replace(/\/$/, ""))}/` : `${this.deps.prefix}/`;
    const out = new Set<string>();
    let next: string | undefined;
    do {
      const page = await this.call("list_secrets", (c) =>
        c.send(
          new ListSecretsCommand({ Filters: [{ Key: "name", Values: [base] }], NextToken: next, MaxResults: 100 }),
        ),
      );
      for (const s of page.SecretList ?? []) {
        if (!s.Name?.startsWith(base) || s.DeletedDate) continue;
        const rest = s.Name.slice(base.length);
        const slash = rest.indexOf("/");
        out.add(slash < 0 ? rest : `${rest.slice(0, slash)}/`);
      }
      next = page.NextToken;
    } while (next);
    return [...out].sort();
  }

  async deleteLatest(path: string): Promise<void> {
    const { DeleteSecretCommand } = await import("@aws-sdk/client-secrets-manager");
    try {
      await this.call("delete_secret", (c) =>
        c.send(
          new DeleteSecretCommand({ SecretId: this.name(path), RecoveryWindowInDays: this.deps.recoveryWindowDays }),
        ),
      );
    } catch (error) {
      // Deleted meanwhile (by another client, or already scheduled): gone, as a 404 says.
      if (SecretsManagerKv.missing(error))
        throw new VaultSecretNotFoundError("Not found in Secrets Manager", { details: this.name(path) });
      throw error;
    }
  }

  /** The current version: the secret is scheduled for deletion. An older one: its labels are removed. */
  async deleteVersions(path: string, versions: number[]): Promise<void> {
    const sm = await import("@aws-sdk/client-secrets-manager");
    const listed = await this.versionList(path);
    const current = listed.find((v) => v.stages.includes("AWSCURRENT"));
    for (const n of versions) {
      const v = listed.find((x) => x.number === n);
      if (!v) continue;
      if (v === current) {
        await this.deleteLatest(path);
        continue;
      }
      for (const stage of v.stages)
        await this.call("update_version_stage", (c) =>
          c.send(
            new sm.UpdateSecretVersionStageCommand({
              SecretId: this.name(path),
              VersionStage: stage,
              RemoveFromVersionId: v.id,
            }),
          ),
        );
    }
  }

  /** The mark is a tag on the secret (TagResource / UntagResource); other tags stay. */
  async markSensitive(path: string, sensitive: boolean): Promise<void> {
    const sm = await import("@aws-sdk/client-secrets-manager");
    if (sensitive)
      await this.call("tag_resource", (c) =>
        c.send(
          new sm.TagResourceCommand({ SecretId: this.name(path), Tags: [{ Key: SENSITIVE_MARK.aws, Value: "true" }] }),
        ),
      );
    else
      await this.call("untag_resource", (c) =>
        c.send(new sm.UntagResourceCommand({ SecretId: this.name(path), TagKeys: [SENSITIVE_MARK.aws] })),
      );
  }

  /** Deleted without recovery; one scheduled for deletion is restored first (refused as deleted otherwise). */
  async destroyAll(path: string): Promise<void> {
    const sm = await import("@aws-sdk/client-secrets-manager");
    const destroy = () =>
      this.call("delete_secret", (c) =>
        c.send(new sm.DeleteSecretCommand({ SecretId: this.name(path), ForceDeleteWithoutRecovery: true })),
      );
    try {
      await destroy();
    } catch (error) {
      if ((error as { name?: string }).name === "ResourceNotFoundException")
        throw new VaultSecretNotFoundError("Not found in Secrets Manager", { details: this.name(path) });
      if (!SecretsManagerKv.missing(error)) throw error;
      // Scheduled for deletion: restored, then deleted for good.
      await this.call("restore_secret", (c) => c.send(new sm.RestoreSecretCommand({ SecretId: this.name(path) })));
      await destroy();
    }
  }

  /** A cheap call that proves the API answers and the plane may list its secrets. */
  async check(): Promise<void> {
    const { ListSecretsCommand } = await import("@aws-sdk/client-secrets-manager");
    await this.call("health", (c) =>
      c.send(new ListSecretsCommand({ MaxResults: 1, Filters: [{ Key: "name", Values: [`${this.deps.prefix}/`] }] })),
    );
  }
}

/** A write's answer was lost after the request may have reached Secrets Manager. */
class LostAnswer extends Error {
  constructor(
    readonly operation: string,
    cause: unknown,
  ) {
    super(`${operation}: the answer was lost`, { cause });
    this.name = "LostAnswer";
  }
}
