import { type Clock, systemClock } from "../clock";
import {
  type KvMetadata,
  type KvSecret,
  type KvStore,
  type KvVersionInfo,
  SENSITIVE_MARK,
  stableJson,
} from "../config/kv-store";
import { OutcomeUnknownError, VaultConnectionError, VaultSecretNotFoundError, VersionConflictError } from "../errors";
import type { VaultGateway } from "./gateway";

interface RawVersion {
  created_time: string;
  deletion_time?: string | null;
  destroyed?: boolean;
}

/** Vault's RFC 3339 times carry nanoseconds; the API speaks milliseconds everywhere. */
export const isoMillis = (time: string): string => new Date(time).toISOString();

/**
 * The one KV v2 client of vaultops: paths are relative to the mount (`prod/billing/db`). Reads of
 * missing, deleted or destroyed data give `undefined`, never an error; a deletion time in the future
 * (`delete_version_after`) is a live version. Writes are check-and-set; a write whose answer was
 * lost is never blindly retried: the key's metadata says whether it landed.
 */
export class KvV2Client implements KvStore {
  private readonly clock: Clock;

  constructor(
    private readonly gateway: VaultGateway,
    readonly mount: string,
    clock?: Clock,
  ) {
    this.clock = clock ?? systemClock;
  }

  private url(kind: "data" | "metadata" | "delete", path: string): string {
    return `/${this.mount}/${kind}/${path}`;
  }

  private deletedNow(deletionTime: string | null | undefined): boolean {
    return Boolean(deletionTime) && Date.parse(deletionTime as string) <= this.clock.now();
  }

  private version(n: number, raw: RawVersion): KvVersionInfo {
    const deletion = raw.deletion_time ? isoMillis(raw.deletion_time) : null;
    return {
      version: n,
      created_at: isoMillis(raw.created_time),
      deletion_time: deletion,
      deleted: this.deletedNow(raw.deletion_time),
      destroyed: raw.destroyed === true,
    };
  }

  /** The current (or a given) version's data; undefined when missing, deleted or destroyed. */
  async read(path: string, version?: number): Promise<KvSecret | undefined> {
    let out: {
      data?: {
        data: Record<string, unknown> | null;
        metadata: { version: number; custom_metadata?: Record<string, string> | null } & RawVersion;
      };
    };
    try {
      out = await this.gateway.request("kv_read", {
        method: "GET",
        path: version ? `${this.url("data", path)}?version=${version}` : this.url("data", path),
      });
    } catch (error) {
      if (error instanceof VaultSecretNotFoundError) return undefined;
      throw error;
    }
    const meta = out.data?.metadata;
    if (!out.data?.data || !meta || meta.destroyed || this.deletedNow(meta.deletion_time)) return undefined;
    return {
      data: out.data.data,
      version: meta.version,
      createdAt: isoMillis(meta.created_time),
      // KV v2 answers the key's custom metadata with every version: the mark costs no call.
      keySensitive: meta.custom_metadata?.[SENSITIVE_MARK.vault] === "true",
    };
  }

  async metadata(path: string): Promise<KvMetadata | undefined> {
    let out: {
      data: {
        current_version: number;
        created_time: string;
        updated_time: string;
        versions: Record<string, RawVersion>;
        custom_metadata?: Record<string, string> | null;
      };
    };
    try {
      out = await this.gateway.request("kv_metadata", { method: "GET", path: this.url("metadata", path) });
    } catch (error) {
      if (error instanceof VaultSecretNotFoundError) return undefined;
      throw error;
    }
    return {
      currentVersion: out.data.current_version,
      createdAt: isoMillis(out.data.created_time),
      updatedAt: isoMillis(out.data.updated_time),
      versions: Object.entries(out.data.versions)
        .map(([n, v]) => this.version(Number(n), v))
        .sort((a, b) => b.version - a.version),
      customMetadata: out.data.custom_metadata ?? null,
      keySensitive: out.data.custom_metadata?.[SENSITIVE_MARK.vault] === "true",
    };
  }

  /** The current version's number and state, or undefined when the key does not exist. */
  async current(path: string): Promise<KvVersionInfo | undefined> {
    const meta = await this.metadata(path);
    if (!meta) return undefined;
    return (
      meta.versions.find((v) => v.version === meta.currentVersion) ?? {
        version: meta.currentVersion,
        created_at: meta.updatedAt,
        deletion_time: null,
        deleted: false,
        destroyed: false,
      }
    );
  }

  /**
   * Writes version `cas + 1` (check-and-set; `cas: 0` creates). A lost race is VersionConflictError.
   * When the answer is lost after the request may have reached Vault, the key's metadata decides:
   * version `cas + 1` holding this very data is this write; another's data there is a conflict;
   * no such version means it did not land and it is sent once more. If Vault cannot tell before
   * the deadline: OutcomeUnknownError (504).
   */
  async write(
    path: string,
    data: Record<string, unknown>,
    cas: number,
  ): Promise<{ version: number; createdAt: string }> {
    const send = () =>
      this.gateway.request<{ data: { version: number; created_time: string } }>(
        "kv_write",
        { method: "POST", path: this.url("data", path), json: { data, options: { cas } } },
        // Keep part of the deadline to find out what happened if the answer is lost.
        { idempotent: false, reserveMs: Math.min(1_000, Math.floor(this.gateway.timeLeft() / 4)) },
      );
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const out = await send();
        return { version: out.data.version, createdAt: isoMillis(out.data.created_time) };
      } catch (error) {
        if (!(error instanceof VaultConnectionError && error.mayHaveReachedVault)) throw error;
        const landed = await this.reconcile(path, data, cas, error);
        if (landed) return landed;
      }
    }
    throw new OutcomeUnknownError("The write's outcome is unknown: Vault did not answer", {
      details: `${path}: sent twice without an answer; read it before writing again`,
    });
  }

  private async reconcile(
    path: string,
    data: Record<string, unknown>,
    cas: number,
    lost: VaultConnectionError,
  ): Promise<{ version: number; createdAt: string } | undefined> {
    let meta: KvMetadata | undefined;
    let written: KvSecret | undefined;
    try {
      meta = await this.metadata(path);
      if (meta && meta.currentVersion > cas) written = await this.read(path, cas + 1);
    } catch (error) {
      throw new OutcomeUnknownError("The write's outcome is unknown: Vault did not answer", {
        cause: lost,
        details: `${path}: ${error instanceof Error ? error.message : "unreachable"}; read it before writing again`,
      });
    }
    if (!meta || meta.currentVersion <= cas) return undefined;
    if (written && stableJson(written.data) === stableJson(data)) {
      return { version: cas + 1, createdAt: written.createdAt };
    }
    throw new VersionConflictError("Version conflict: the value was changed by another writer", {
      details: `${path}: version ${cas + 1} was written by another client`,
    });
  }

  /** The keys directly under `folder` (not sub-folders), sorted; [] when there are none. */
  async list(folder: string): Promise<string[]> {
    return (await this.listEntries(folder)).filter((k) => !k.endsWith("/")).sort();
  }

  /** Every key and sub-folder under `folder` (folders end with `/`). */
  async listEntries(folder: string): Promise<string[]> {
    try {
      const out = await this.gateway.request<{ data: { keys: string[] } }>("kv_list", {
        method: "GET",
        path: `${this.url("metadata", folder)}?list=true`,
      });
      return out.data.keys;
    } catch (error) {
      if (error instanceof VaultSecretNotFoundError) return [];
      throw error;
    }
  }

  /** Soft-deletes the current version (history kept). */
  async deleteLatest(path: string): Promise<void> {
    await this.gateway.request("kv_delete", { method: "DELETE", path: this.url("data", path) });
  }

  /** Soft-deletes given versions. */
  async deleteVersions(path: string, versions: number[]): Promise<void> {
    await this.gateway.request("kv_delete_versions", {
      method: "POST",
      path: this.url("delete", path),
      json: { versions },
    });
  }

  /** A merge patch of the key's custom metadata: other clients' fields stay (needs `patch` on metadata/). */
  async markSensitive(path: string, sensitive: boolean): Promise<void> {
    await this.gateway.request("kv_metadata_patch", {
      method: "PATCH",
      path: this.url("metadata", path),
      contentType: "application/merge-patch+json",
      json: { custom_metadata: { [SENSITIVE_MARK.vault]: sensitive ? "true" : null } },
    });
  }

  /** Removes the key with every version and its metadata. */
  async destroyAll(path: string): Promise<void> {
    await this.gateway.request("kv_destroy", { method: "DELETE", path: this.url("metadata", path) });
  }
}
