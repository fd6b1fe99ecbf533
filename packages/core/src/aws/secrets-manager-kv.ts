import type { Clock } from "../clock";
import { type KvMetadata, type KvSecret, type KvStore, type KvVersionInfo, SENSITIVE_MARK } from "../config/kv-store";
import { VaultSecretNotFoundError } from "../errors";
import { isMissingSecret, SecretsManagerCalls, type SecretsManagerKvDeps } from "./secrets-manager-calls";
import { hasSensitiveTag, secretData, versionNumberOf, versionToken } from "./secrets-manager-format";
import { writeSecretVersion } from "./secrets-manager-write";

export type { SecretsManagerKvDeps } from "./secrets-manager-calls";

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
  /** The calls themselves (deadline, records, errors), the layout and the write: files beside this one. */
  private readonly calls: SecretsManagerCalls;

  constructor(private readonly deps: SecretsManagerKvDeps) {
    this.mount = deps.prefix;
    this.calls = new SecretsManagerCalls(deps);
    this.clock = this.calls.clock;
  }

  private name(path: string): string {
    return this.calls.name(path);
  }

  /** The version id (and idempotency token) of version `n` of a path. */
  static token(path: string, n: number): string {
    return versionToken(path, n);
  }

  /** Whether the secret carries the plane's sensitive tag (DescribeSecret: reads never answer tags). */
  private async marked(path: string): Promise<boolean> {
    const { DescribeSecretCommand } = await import("@aws-sdk/client-secrets-manager");
    const described = await this.calls.call("describe_secret", (c) =>
      c.send(new DescribeSecretCommand({ SecretId: this.name(path) })),
    );
    return hasSensitiveTag(described.Tags);
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
      if (isMissingSecret(error)) return undefined;
      throw error;
    }
  }

  private async readData(path: string, version?: number): Promise<KvSecret | undefined> {
    const { GetSecretValueCommand } = await import("@aws-sdk/client-secrets-manager");
    const get = (versionId?: string) =>
      this.calls.call("get_secret_value", (c) =>
        c.send(
          new GetSecretValueCommand({ SecretId: this.name(path), ...(versionId ? { VersionId: versionId } : {}) }),
        ),
      );
    try {
      const out = await get(version ? versionToken(path, version) : undefined);
      let number = version ?? versionNumberOf(out.VersionId);
      if (number === undefined)
        number = (await this.calls.versionList(path)).find((v) => v.id === out.VersionId)?.number;
      return {
        data: secretData(out),
        version: number ?? 1,
        createdAt: (out.CreatedDate ?? new Date(this.clock.now())).toISOString(),
      };
    } catch (error) {
      if (!isMissingSecret(error)) throw error;
      if (!version) return undefined;
      // Version N of another client's numbering: find its id.
      const listed = await this.calls.versionList(path).catch(() => []);
      const id = listed.find((v) => v.number === version)?.id;
      if (!id) return undefined;
      try {
        const out = await get(id);
        return { data: secretData(out), version, createdAt: (out.CreatedDate ?? new Date(0)).toISOString() };
      } catch (again) {
        if (isMissingSecret(again)) return undefined;
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
      described = await this.calls.call("describe_secret", (c) =>
        c.send(new DescribeSecretCommand({ SecretId: this.name(path) })),
      );
    } catch (error) {
      if (isMissingSecret(error)) return undefined;
      throw error;
    }
    const deleted = described.DeletedDate !== undefined;
    const listed = await this.calls.versionList(path);
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
      customMetadata: hasSensitiveTag(described.Tags) ? { [SENSITIVE_MARK.vault]: "true" } : null,
      keySensitive: hasSensitiveTag(described.Tags),
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
    await writeSecretVersion(this.calls, path, data, cas);
    // The version's own creation time, as later reads show it (best effort: the write is done).
    const written = await this.read(path, cas + 1).catch(() => undefined);
    return { version: cas + 1, createdAt: written?.createdAt ?? new Date(this.clock.now()).toISOString() };
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
      const page = await this.calls.call("list_secrets", (c) =>
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
      await this.calls.call("delete_secret", (c) =>
        c.send(
          new DeleteSecretCommand({ SecretId: this.name(path), RecoveryWindowInDays: this.deps.recoveryWindowDays }),
        ),
      );
    } catch (error) {
      // Deleted meanwhile (by another client, or already scheduled): gone, as a 404 says.
      if (isMissingSecret(error))
        throw new VaultSecretNotFoundError("Not found in Secrets Manager", { details: this.name(path) });
      throw error;
    }
  }

  /** The current version: the secret is scheduled for deletion. An older one: its labels are removed. */
  async deleteVersions(path: string, versions: number[]): Promise<void> {
    const sm = await import("@aws-sdk/client-secrets-manager");
    const listed = await this.calls.versionList(path);
    const current = listed.find((v) => v.stages.includes("AWSCURRENT"));
    for (const n of versions) {
      const v = listed.find((x) => x.number === n);
      if (!v) continue;
      if (v === current) {
        await this.deleteLatest(path);
        continue;
      }
      for (const stage of v.stages)
        await this.calls.call("update_version_stage", (c) =>
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
      await this.calls.call("tag_resource", (c) =>
        c.send(
          new sm.TagResourceCommand({ SecretId: this.name(path), Tags: [{ Key: SENSITIVE_MARK.aws, Value: "true" }] }),
        ),
      );
    else
      await this.calls.call("untag_resource", (c) =>
        c.send(new sm.UntagResourceCommand({ SecretId: this.name(path), TagKeys: [SENSITIVE_MARK.aws] })),
      );
  }

  /** Deleted without recovery; one scheduled for deletion is restored first (refused as deleted otherwise). */
  async destroyAll(path: string): Promise<void> {
    const sm = await import("@aws-sdk/client-secrets-manager");
    const destroy = () =>
      this.calls.call("delete_secret", (c) =>
        c.send(new sm.DeleteSecretCommand({ SecretId: this.name(path), ForceDeleteWithoutRecovery: true })),
      );
    try {
      await destroy();
    } catch (error) {
      if ((error as { name?: string }).name === "ResourceNotFoundException")
        throw new VaultSecretNotFoundError("Not found in Secrets Manager", { details: this.name(path) });
      if (!isMissingSecret(error)) throw error;
      // Scheduled for deletion: restored, then deleted for good.
      await this.calls.call("restore_secret", (c) =>
        c.send(new sm.RestoreSecretCommand({ SecretId: this.name(path) })),
      );
      await destroy();
    }
  }

  /** A cheap call that proves the API answers and the plane may list its secrets. */
  async check(): Promise<void> {
    const { ListSecretsCommand } = await import("@aws-sdk/client-secrets-manager");
    await this.calls.call("health", (c) =>
      c.send(new ListSecretsCommand({ MaxResults: 1, Filters: [{ Key: "name", Values: [`${this.deps.prefix}/`] }] })),
    );
  }
}
