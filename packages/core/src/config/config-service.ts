import type { Actor, AuditEntry, DynamoAuditLog } from "../audit/audit-log";
import type { EventPublisher } from "../aws/eventbridge";
import type { TwoTierCache } from "../cache/two-tier-cache";
import {
  VaultConnectionError,
  VaultError,
  VaultPermissionError,
  VaultSealedError,
  VaultSecretNotFoundError,
  VaultValidationError,
  VaultVersionError,
} from "../errors";
import { shortHash } from "../hash";
import type { Logger } from "../logger";
import type { AccessMetrics } from "../monitor/access-metrics";
import type { VaultGateway } from "../vault/gateway";
import { type ConfigRef, type CreateConfigInput, checkValueSize, refPath, type UpdateConfigInput } from "./validation";

/** A configuration as the API shows it (seed 002): id is always 0, the version is KV v2's. */
export interface ConfigRecord {
  id: 0;
  key: string;
  value: string;
  environment: string;
  service_name: string;
  is_encrypted: boolean;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface ConfigVersion {
  version: number;
  created_at: string;
  deleted: boolean;
  destroyed: boolean;
}

/** What vaultops stores at `{mount}/data/{environment}/{service_name}/{key}`. */
interface StoredData {
  value?: unknown;
  is_encrypted?: unknown;
  created_at?: unknown;
  [field: string]: unknown;
}

interface KvRead {
  data: {
    data: StoredData | null;
    metadata: { created_time: string; version: number; deletion_time?: string; destroyed?: boolean };
  };
}
interface KvMetadata {
  data: {
    current_version: number;
    created_time: string;
    updated_time: string;
    versions: Record<string, { created_time: string; deletion_time: string; destroyed: boolean }>;
  };
}

export interface ConfigServiceDeps {
  gateway: VaultGateway;
  cache: TwoTierCache;
  events: EventPublisher;
  audit: DynamoAuditLog;
  logger: Logger;
  mount: string;
  valueMaxBytes: number;
  accessMetrics?: AccessMetrics;
  /** Audit every read too (a DynamoDB write per read); changes are always audited. */
  auditReads?: boolean;
}

const cacheKey = (ref: ConfigRef) => `config:${refPath(ref)}`;

/**
 * The configuration service of seed 002 on Vault KV v2, the single source of truth. Non-sensitive
 * values go through the two-tier cache; sensitive ones are read from Vault every time and never
 * cached, logged or put in events. Every write is check-and-set: a stale writer gets 409.
 */
export class ConfigService {
  constructor(private readonly deps: ConfigServiceDeps) {}

  private dataPath(ref: ConfigRef): string {
    return `/${this.deps.mount}/data/${refPath(ref)}`;
  }
  private metadataPath(ref: ConfigRef): string {
    return `/${this.deps.mount}/metadata/${refPath(ref)}`;
  }

  /** Seed 002's message for an unavailable Vault, per operation; never a 404. */
  private async vault<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof VaultSealedError) {
        throw new VaultSealedError(`Cannot ${operation} configuration: Vault is sealed`, { cause: error });
      }
      if (error instanceof VaultConnectionError) {
        throw new VaultConnectionError(`Cannot ${operation} configuration: Vault is not available`, {
          cause: error,
          ...(error.details ? { details: error.details } : {}),
        });
      }
      throw error;
    }
  }

  private toRecord(ref: ConfigRef, read: KvRead["data"]): ConfigRecord {
    const data = read.data ?? {};
    // Written by another Vault client without our fields: the whole secret is the value, and it is
    // treated as sensitive unless it says otherwise (never cache what we cannot classify).
    const value = typeof data.value === "string" ? data.value : JSON.stringify(data);
    const isEncrypted = typeof data.value === "string" ? data.is_encrypted !== false : true;
    // Vault reports nanoseconds; the API speaks milliseconds everywhere.
    const updatedAt = new Date(read.metadata.created_time).toISOString();
    return {
      id: 0,
      key: ref.key,
      value,
      environment: ref.environment,
      service_name: ref.service_name,
      is_encrypted: isEncrypted,
      version: read.metadata.version,
      created_at: typeof data.created_at === "string" ? data.created_at : updatedAt,
      updated_at: updatedAt,
    };
  }

  /** Reads from Vault (no cache); `version` reads an older one. Deleted or missing: 404. */
  private async readFromVault(ref: ConfigRef, version?: number): Promise<ConfigRecord> {
    const path = version ? `${this.dataPath(ref)}?version=${version}` : this.dataPath(ref);
    let read: KvRead;
    try {
      read = await this.deps.gateway.request<KvRead>("kv_read", { method: "GET", path });
    } catch (error) {
      if (error instanceof VaultSecretNotFoundError) throw this.notFound(ref, version);
      throw error;
    }
    if (!read.data?.data || read.data.metadata.deletion_time || read.data.metadata.destroyed)
      throw this.notFound(ref, version);
    return this.toRecord(ref, read.data);
  }

  private notFound(ref: ConfigRef, version?: number): VaultSecretNotFoundError {
    return new VaultSecretNotFoundError(version ? `Configuration version not found` : `Configuration not found`, {
      details: `${refPath(ref)}${version ? ` version ${version}` : ""}`,
    });
  }

  /**
   * A read through the cache (or of an older version, from Vault). With an actor it is an audited
   * secret access: counted per environment and service, and written to the audit trail.
   */
  async get(ref: ConfigRef, options: { version?: number | undefined } = {}, actor?: Actor): Promise<ConfigRecord> {
    const started = performance.now();
    let cacheHit: boolean | undefined;
    try {
      const record = await this.vault("read", async () => {
        if (options.version) return this.readFromVault(ref, options.version);
        const result = await this.deps.cache.get(cacheKey(ref), async () => {
          const fresh = await this.readFromVault(ref);
          return { value: JSON.stringify(fresh), version: fresh.version, cacheable: !fresh.is_encrypted };
        });
        if (!result) throw this.notFound(ref);
        cacheHit = result.tier !== "origin";
        return JSON.parse(result.value) as ConfigRecord;
      });
      if (actor)
        await this.accessed(ref, actor, started, {
          ok: true,
          cacheHit,
          keyHash: shortHash(record.value),
          version: record.version,
        });
      return record;
    } catch (error) {
      if (actor) await this.accessed(ref, actor, started, { ok: false, error });
      throw error;
    }
  }

  private async accessed(
    ref: ConfigRef,
    actor: Actor,
    started: number,
    outcome: { ok: boolean; cacheHit?: boolean | undefined; keyHash?: string; version?: number; error?: unknown },
  ): Promise<void> {
    const denied = outcome.error instanceof VaultPermissionError;
    const metrics: { ok: boolean; denied: boolean; latencyMs: number; cacheHit?: boolean } = {
      ok: outcome.ok,
      denied,
      latencyMs: performance.now() - started,
    };
    if (outcome.cacheHit !== undefined) metrics.cacheHit = outcome.cacheHit;
    this.deps.accessMetrics?.record(ref.environment, ref.service_name, metrics);
    if (this.deps.auditReads === false) return;
    const entry: AuditEntry = { operation: "read", path: refPath(ref), success: outcome.ok };
    if (outcome.keyHash) entry.keyHash = outcome.keyHash;
    if (outcome.version) entry.version = outcome.version;
    if (outcome.error) entry.error = outcome.error instanceof VaultError ? outcome.error.code : "error";
    await this.deps.audit.record(entry, actor);
  }

  /** A failed change leaves an audit record too (conflicts, refusals, outages). */
  private async failed(operation: string, ref: ConfigRef, actor: Actor, error: unknown): Promise<never> {
    const code =
      error instanceof VaultError
        ? error.code
        : error instanceof Error && "code" in error
          ? String(error.code)
          : "error";
    await this.deps.audit
      .record({ operation, path: refPath(ref), success: false, error: code }, actor)
      .catch((auditError: unknown) => this.deps.logger.error("audit write failed", { error: auditError }));
    throw error;
  }

  async list(query: { environment: string; service_name: string; limit: number; offset: number }) {
    return this.vault("list", async () => {
      let keys: string[] = [];
      try {
        const listed = await this.deps.gateway.request<{ data: { keys: string[] } }>("kv_list", {
          method: "GET",
          path: `/${this.deps.mount}/metadata/${query.environment}/${query.service_name}?list=true`,
        });
        keys = listed.data.keys.filter((k) => !k.endsWith("/")).sort();
      } catch (error) {
        if (!(error instanceof VaultSecretNotFoundError)) throw error;
      }
      // Soft-deleted keys are still listed by Vault; reading (through the cache) tells the live ones.
      const records: ConfigRecord[] = [];
      for (let i = 0; i < keys.length; i += 8) {
        const batch = await Promise.all(
          keys.slice(i, i + 8).map((key) =>
            this.get({ environment: query.environment, service_name: query.service_name, key }).catch((error) => {
              if (error instanceof VaultSecretNotFoundError) return undefined;
              throw error;
            }),
          ),
        );
        for (const record of batch) if (record) records.push(record);
      }
      return {
        items: records.slice(query.offset, query.offset + query.limit),
        total: records.length,
        limit: query.limit,
        offset: query.offset,
      };
    });
  }

  /**
   * Writes version `cas` + 1 with check-and-set; a lost race is VaultVersionError (409). The shared
   * cache entry goes first: if DynamoDB is down the request fails before Vault changes (all or
   * nothing), and no reader can be served the replaced value afterwards.
   */
  private async write(ref: ConfigRef, data: StoredData, cas: number): Promise<number> {
    await this.deps.cache.invalidate(cacheKey(ref));
    const out = await this.deps.gateway.request<{ data: { version: number } }>("kv_write", {
      method: "POST",
      path: this.dataPath(ref),
      json: { data, options: { cas } },
    });
    return out.data.version;
  }

  private async afterWrite(record: ConfigRecord, type: string, actor: Actor, operation: string): Promise<void> {
    const ref = { environment: record.environment, service_name: record.service_name, key: record.key };
    // The write is done: from here on a failure is logged, never turned into an error for a change that happened.
    // (The shared entry was already removed before the write, so a failed put leaves no stale value.)
    if (!record.is_encrypted) {
      await this.deps.cache
        .put(cacheKey(ref), JSON.stringify(record), record.version)
        .catch((error: unknown) =>
          this.deps.logger.warn("cache fill after write failed", { path: refPath(ref), error }),
        );
    }
    await this.sideEffects(
      ref,
      type,
      actor,
      { operation, success: true, keyHash: shortHash(record.value), version: record.version },
      {
        version: record.version,
        is_encrypted: record.is_encrypted,
        ...(record.is_encrypted ? {} : { value: record.value }),
      },
    );
  }

  /** The event and the audit record of a change. Neither ever carries a sensitive value. */
  private async sideEffects(
    ref: ConfigRef,
    type: string,
    actor: Actor,
    audit: { operation: string; success: boolean; keyHash?: string; version?: number },
    detail: Record<string, unknown>,
  ): Promise<void> {
    const path = refPath(ref);
    try {
      await this.deps.audit.record({ path, ...audit }, actor);
    } catch (error) {
      // The log line is the audit record of last resort (CloudWatch Logs keeps it).
      this.deps.logger.error("audit record not written", { path, actor: actor.name, ...audit, error });
    }
    try {
      await this.deps.events.publish({
        type,
        detail: {
          environment: ref.environment,
          service_name: ref.service_name,
          key: ref.key,
          actor: actor.name,
          at: new Date().toISOString(),
          ...detail,
        },
      });
    } catch (error) {
      // The change is done and audited; a lost notification is logged loudly rather than undoing it.
      this.deps.logger.error("config event not published", { type, path, error });
    }
  }

  async create(input: CreateConfigInput, actor: Actor): Promise<ConfigRecord> {
    checkValueSize(input.value, this.deps.valueMaxBytes);
    const ref = { environment: input.environment, service_name: input.service_name, key: input.key };
    return this.vault("create", async () => {
      const createdAt = new Date().toISOString();
      const data: StoredData = { value: input.value, is_encrypted: input.is_encrypted, created_at: createdAt };
      let version: number;
      try {
        version = await this.write(ref, data, 0);
      } catch (error) {
        if (!(error instanceof VaultVersionError)) throw error;
        // The key exists in Vault's metadata: allowed only when its current version is deleted.
        const current = await this.currentVersion(ref);
        if (!current || !(current.deleted || current.destroyed)) {
          throw new VaultVersionError("Configuration already exists", {
            details: `${refPath(ref)} is at version ${current?.version ?? "?"}; use PUT to change it`,
          });
        }
        version = await this.write(ref, data, current.version);
      }
      const record: ConfigRecord = {
        id: 0,
        key: ref.key,
        value: input.value,
        environment: ref.environment,
        service_name: ref.service_name,
        is_encrypted: input.is_encrypted,
        version,
        created_at: createdAt,
        updated_at: createdAt,
      };
      await this.afterWrite(record, "config.created", actor, "create");
      return record;
    }).catch((error: unknown) => this.failed("create", ref, actor, error));
  }

  async update(
    ref: ConfigRef,
    input: UpdateConfigInput & { ifMatch?: number | undefined },
    actor: Actor,
    operation: "update" | "rotate" = "update",
  ): Promise<ConfigRecord & { previous_version: number }> {
    checkValueSize(input.value, this.deps.valueMaxBytes);
    const expected = input.ifMatch ?? input.expected_version;
    if (
      input.ifMatch !== undefined &&
      input.expected_version !== undefined &&
      input.ifMatch !== input.expected_version
    ) {
      throw new VaultValidationError("If-Match and expected_version disagree");
    }
    return this.vault("update", async () => {
      const current = await this.readFromVault(ref);
      if (expected !== undefined && expected !== current.version) {
        throw new VaultVersionError("Version conflict: the configuration was changed by another writer", {
          details: `expected version ${expected}, current is ${current.version}`,
        });
      }
      const isEncrypted = input.is_encrypted ?? current.is_encrypted;
      // Check-and-set against the version just read: a writer in between makes this a 409, not a lost update.
      const version = await this.write(
        ref,
        { value: input.value, is_encrypted: isEncrypted, created_at: current.created_at },
        current.version,
      );
      const record: ConfigRecord = {
        ...current,
        value: input.value,
        is_encrypted: isEncrypted,
        version,
        updated_at: new Date().toISOString(),
      };
      await this.afterWrite(record, operation === "rotate" ? "config.rotated" : "config.updated", actor, operation);
      return { ...record, previous_version: current.version };
    }).catch((error: unknown) => this.failed("update", ref, actor, error));
  }

  /** Makes one older version unreadable (soft delete): the end of a rotation's grace period. */
  async retireVersion(ref: ConfigRef, version: number, actor: Actor): Promise<void> {
    await this.vault("update", () =>
      this.deps.gateway.request("kv_delete_versions", {
        method: "POST",
        path: `/${this.deps.mount}/delete/${refPath(ref)}`,
        json: { versions: [version] },
      }),
    );
    await this.deps.audit.record({ path: refPath(ref), operation: "retire_version", success: true, version }, actor);
  }

  async remove(
    ref: ConfigRef,
    options: { ifMatch?: number | undefined; purge?: boolean },
    actor: Actor,
  ): Promise<{ deleted: true; version: number; purged: boolean }> {
    return this.vault("delete", async () => {
      const current = await this.readFromVault(ref);
      if (options.ifMatch !== undefined && options.ifMatch !== current.version) {
        throw new VaultVersionError("Version conflict: the configuration was changed by another writer", {
          details: `expected version ${options.ifMatch}, current is ${current.version}`,
        });
      }
      // Shared entry first (see write()); soft delete keeps the history (versions, rollback), purge removes every version.
      await this.deps.cache.invalidate(cacheKey(ref));
      if (options.purge)
        await this.deps.gateway.request("kv_destroy", { method: "DELETE", path: this.metadataPath(ref) });
      else await this.deps.gateway.request("kv_delete", { method: "DELETE", path: this.dataPath(ref) });
      // A reader between the two steps may have put the old value back; remove it once more.
      await this.deps.cache.invalidate(cacheKey(ref)).catch(() => {});
      await this.sideEffects(
        ref,
        "config.deleted",
        actor,
        { operation: "delete", success: true, version: current.version },
        {
          version: current.version,
          is_encrypted: current.is_encrypted,
          purged: options.purge === true,
        },
      );
      return { deleted: true as const, version: current.version, purged: options.purge === true };
    }).catch((error: unknown) => this.failed("delete", ref, actor, error));
  }

  private async metadata(ref: ConfigRef): Promise<KvMetadata["data"] | undefined> {
    try {
      return (
        await this.deps.gateway.request<KvMetadata>("kv_metadata", { method: "GET", path: this.metadataPath(ref) })
      ).data;
    } catch (error) {
      if (error instanceof VaultSecretNotFoundError) return undefined;
      throw error;
    }
  }

  private async currentVersion(ref: ConfigRef): Promise<(ConfigVersion & { version: number }) | undefined> {
    const meta = await this.metadata(ref);
    if (!meta) return undefined;
    const v = meta.versions[String(meta.current_version)];
    return {
      version: meta.current_version,
      created_at: v?.created_time ?? meta.updated_time,
      deleted: Boolean(v?.deletion_time),
      destroyed: v?.destroyed === true,
    };
  }

  async versions(ref: ConfigRef): Promise<{
    key: string;
    environment: string;
    service_name: string;
    current_version: number;
    versions: ConfigVersion[];
  }> {
    return this.vault("read", async () => {
      const meta = await this.metadata(ref);
      if (!meta) throw this.notFound(ref);
      const versions = Object.entries(meta.versions)
        .map(([n, v]) => ({
          version: Number(n),
          created_at: v.created_time,
          deleted: Boolean(v.deletion_time),
          destroyed: v.destroyed,
        }))
        .sort((a, b) => b.version - a.version);
      return {
        key: ref.key,
        environment: ref.environment,
        service_name: ref.service_name,
        current_version: meta.current_version,
        versions,
      };
    });
  }

  /** Restores version N as a new version (check-and-set against the current one). */
  async rollback(
    ref: ConfigRef,
    input: { version: number; expected_version?: number | undefined },
    actor: Actor,
  ): Promise<ConfigRecord> {
    return this.vault("update", async () => {
      const target = await this.readFromVault(ref, input.version);
      const current = await this.currentVersion(ref);
      if (!current) throw this.notFound(ref);
      if (input.expected_version !== undefined && input.expected_version !== current.version) {
        throw new VaultVersionError("Version conflict: the configuration was changed by another writer", {
          details: `expected version ${input.expected_version}, current is ${current.version}`,
        });
      }
      const version = await this.write(
        ref,
        { value: target.value, is_encrypted: target.is_encrypted, created_at: target.created_at },
        current.version,
      );
      const record: ConfigRecord = { ...target, version, updated_at: new Date().toISOString() };
      await this.afterWrite(record, "config.updated", actor, "rollback");
      return record;
    }).catch((error: unknown) => this.failed("rollback", ref, actor, error));
  }

  /** `vault_enabled` (seed 002) with the Vault, cache and backend state behind it. */
  async status(): Promise<Record<string, unknown>> {
    const health = await this.deps.gateway.health();
    let mount: Record<string, unknown> = { path: this.deps.mount };
    let backend: Record<string, unknown> = { dynamodb: "ok" };
    if (health.status === "healthy") {
      try {
        const tune = await this.deps.gateway.request<{
          data?: { options?: { version?: string } };
          options?: { version?: string };
        }>("mount_tune", { method: "GET", path: `/sys/mounts/${this.deps.mount}/tune` });
        mount = { ...mount, kv_version: Number((tune.data?.options ?? tune.options)?.version ?? 1) };
      } catch (error) {
        mount = { ...mount, error: error instanceof VaultError ? error.message : "unknown" };
      }
    }
    let entries: number | null = null;
    try {
      entries = (await this.deps.cache.sharedEntries()).length;
    } catch (error) {
      backend = { dynamodb: "unavailable", error: (error as Error).message };
    }
    const ok = health.status === "healthy";
    return {
      vault_enabled: ok,
      vault: { status: health.status, version: health.version ?? "", ...(health.error ? { error: health.error } : {}) },
      mount,
      cache: {
        enabled: true,
        ttl_seconds: Math.round(this.deps.cache.ttlMs / 1000),
        shared_entries: entries,
        memory_entries: this.deps.cache.memoryEntries,
        sensitive_values_cached: false,
      },
      backend,
    };
  }
}
