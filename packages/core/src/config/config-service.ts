import type { Actor } from "../audit/audit-log";
import type { TwoTierCache } from "../cache/two-tier-cache";
import {
  ForeignShapeError,
  SecretsScopeRequiredError,
  VaultConnectionError,
  VaultError,
  VaultSealedError,
  VaultSecretNotFoundError,
  VaultVersionError,
} from "../errors";
import { shortHash } from "../hash";
import type { VaultGateway } from "../vault/gateway";
import type { KvSecret, KvV2Client, KvVersionInfo } from "../vault/kv2";
import type { ConfigActivity } from "./activity";
import { type ConfigStore, cacheKeyOf } from "./config-store";
import { type ConfigRecord, isCacheable, isOwnShape, toRecord } from "./shape";
import { type ConfigRef, type CreateConfigInput, checkValueSize, refPath, type UpdateConfigInput } from "./validation";

export type { ConfigRecord } from "./shape";

export interface ConfigVersion {
  version: number;
  created_at: string;
  deleted: boolean;
  destroyed: boolean;
  /** When the version is (or, with `delete_version_after`, will be) deleted. */
  deletion_time: string | null;
}

export interface ConfigServiceDeps {
  gateway: VaultGateway;
  kv: KvV2Client;
  store: ConfigStore;
  cache: TwoTierCache;
  activity: ConfigActivity;
  valueMaxBytes: number;
}

/**
 * An unconditional PUT re-reads and retries its own check-and-set (last writer wins) up to this many
 * times inside its deadline, with a jittered pause that grows, so parallel writers do not collide again.
 */
const UNCONDITIONAL_ATTEMPTS = 30;
const retryPause = (attempt: number) => new Promise((r) => setTimeout(r, Math.random() * Math.min(50, 5 * attempt)));

/**
 * The configuration service on Vault KV v2, the single source of truth, at
 * `{environment}/{service_name}/{key}`. Non-sensitive values go through the two-tier cache;
 * sensitive ones are read from Vault every time. Every change goes through the one write path
 * (ConfigStore) and is check-and-set; every read and change is audited (ConfigActivity).
 */
export class ConfigService {
  constructor(private readonly deps: ConfigServiceDeps) {}

  /** One operation: one Vault deadline, and an unavailable Vault named per operation (503, never 404). */
  private vault<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    return this.deps.gateway.within(fn).catch((error: unknown) => {
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
    });
  }

  private notFound(ref: ConfigRef, version?: number): VaultSecretNotFoundError {
    return new VaultSecretNotFoundError(version ? "Configuration version not found" : "Configuration not found", {
      details: `${refPath(ref)}${version ? ` version ${version}` : ""}`,
    });
  }

  private conflict(ref: ConfigRef, expected: number, current: number): VaultVersionError {
    return new VaultVersionError("Version conflict: the configuration was changed by another writer", {
      details: `${refPath(ref)}: expected version ${expected}, current is ${current}`,
    });
  }

  /** The current version from Vault, no cache; a 404 also drops any cached copy. */
  private async current(ref: ConfigRef): Promise<KvSecret> {
    const secret = await this.deps.kv.read(refPath(ref));
    if (!secret) {
      await this.deps.store.observed(refPath(ref), undefined);
      throw this.notFound(ref);
    }
    return secret;
  }

  /** A cached or fresh read of the current version; `revalidate` reads Vault (Cache-Control: no-cache). */
  private async cachedRead(ref: ConfigRef, revalidate: boolean): Promise<{ secret: KvSecret; cacheHit?: boolean }> {
    const result = await this.deps.cache.get(
      cacheKeyOf(refPath(ref)),
      async () => {
        const secret = await this.deps.kv.read(refPath(ref));
        return (
          secret && { value: JSON.stringify(secret), version: secret.version, cacheable: isCacheable(secret.data) }
        );
      },
      { revalidate },
    );
    if (!result) throw this.notFound(ref);
    return {
      secret: JSON.parse(result.value) as KvSecret,
      ...(result.cacheable ? { cacheHit: result.tier !== "origin" } : {}),
    };
  }

  /**
   * A read through the cache (or of an older version, from Vault). With an actor it is an audited
   * secret access: counted per environment and service, and written to the audit trail.
   */
  async get(
    ref: ConfigRef,
    options: { version?: number | undefined; revalidate?: boolean; allowSensitive?: boolean } = {},
    actor?: Actor,
  ): Promise<ConfigRecord> {
    const started = performance.now();
    let record: ConfigRecord;
    let hit: boolean | undefined;
    try {
      const { secret, cacheHit } = await this.vault("read", async () => {
        if (!options.version) return this.cachedRead(ref, options.revalidate === true);
        const older = await this.deps.kv.read(refPath(ref), options.version);
        if (!older) throw this.notFound(ref, options.version);
        return { secret: older };
      });
      record = toRecord(ref, secret);
      hit = cacheHit;
    } catch (error) {
      if (actor)
        await this.deps.activity.read(ref, actor, { ok: false, latencyMs: performance.now() - started, error });
      throw error;
    }
    // The caller may not see sensitive values: refused (the edge audits and counts the refusal).
    if (record.is_encrypted && options.allowSensitive === false) {
      throw new SecretsScopeRequiredError("Reading a sensitive configuration needs the secrets:read scope", {
        path: refPath(ref),
        details: `${refPath(ref)} is sensitive`,
      });
    }
    if (actor) {
      await this.deps.activity.read(ref, actor, {
        ok: true,
        cacheHit: hit,
        latencyMs: performance.now() - started,
        keyHash: shortHash(record.value),
        version: record.version,
      });
    }
    return record;
  }

  /**
   * One page of a service's configurations: one KV v2 LIST and at most `limit` reads (through the
   * cache), whatever the size of the service. `total` is what Vault lists: keys whose current version
   * is soft-deleted count there but are not items. Every value returned is an audited read.
   */
  async list(
    query: { environment: string; service_name: string; limit: number; offset: number },
    actor?: Actor,
    /** Keys the caller may not see are left out before paging, and not counted. */
    visible: (path: string) => boolean = () => true,
  ): Promise<{ items: ConfigRecord[]; total: number; limit: number; offset: number; has_more: boolean }> {
    const folder = `${query.environment}/${query.service_name}`;
    const keys = (await this.vault("list", () => this.deps.kv.list(folder))).filter((k) => visible(`${folder}/${k}`));
    const page = keys.slice(query.offset, query.offset + query.limit);
    const reads: Array<{ ref: ConfigRef; outcome: Parameters<ConfigActivity["read"]>[2] }> = [];
    const items: ConfigRecord[] = [];
    for (let i = 0; i < page.length; i += 8) {
      const batch = await Promise.all(
        page.slice(i, i + 8).map(async (key) => {
          const ref = { environment: query.environment, service_name: query.service_name, key };
          const started = performance.now();
          try {
            const { secret, cacheHit } = await this.vault("list", () => this.cachedRead(ref, false));
            const record = toRecord(ref, secret);
            reads.push({
              ref,
              outcome: {
                ok: true,
                cacheHit,
                latencyMs: performance.now() - started,
                keyHash: shortHash(record.value),
                version: record.version,
              },
            });
            return record;
          } catch (error) {
            if (error instanceof VaultSecretNotFoundError) return undefined;
            throw error;
          }
        }),
      );
      for (const record of batch) if (record) items.push(record);
    }
    if (actor) await this.deps.activity.readMany(reads, actor);
    return {
      items,
      total: keys.length,
      limit: query.limit,
      offset: query.offset,
      has_more: query.offset + query.limit < keys.length,
    };
  }

  async create(input: CreateConfigInput, actor: Actor): Promise<ConfigRecord> {
    checkValueSize(input.value, this.deps.valueMaxBytes);
    const ref = { environment: input.environment, service_name: input.service_name, key: input.key };
    const path = refPath(ref);
    return this.vault("create", async () => {
      const data = { value: input.value, is_encrypted: input.is_encrypted, created_at: new Date().toISOString() };
      let written: { version: number; createdAt: string };
      try {
        written = await this.deps.store.write(path, data, 0);
      } catch (error) {
        if (!(error instanceof VaultVersionError)) throw error;
        // The key exists in Vault's metadata: allowed only when its current version is deleted.
        const current = await this.deps.kv.current(path);
        if (current && !(current.deleted || current.destroyed)) {
          throw new VaultVersionError("Configuration already exists", {
            details: `${path} is at version ${current.version}; use PUT to change it`,
          });
        }
        written = await this.deps.store.write(path, data, current?.version ?? 0);
      }
      const record = toRecord(ref, { data, ...written });
      this.deps.activity.created(actor);
      await this.changed(record, "config.created", actor, "create");
      return record;
    }).catch((error: unknown) => this.deps.activity.failed("create", ref, actor, error));
  }

  /**
   * A new version. With `If-Match`/`expected_version` it is check-and-set against that version (409
   * when stale); without, it is written against the version just read and, if another writer got
   * in between, read and written again (last writer wins). Data another client wrote in its own
   * shape is replaced only with `replace` (else 409 foreign_shape).
   */
  async update(
    ref: ConfigRef,
    input: UpdateConfigInput & { ifMatch?: number | undefined; replace?: boolean },
    actor: Actor,
    operation: "update" | "rotate" = "update",
  ): Promise<ConfigRecord & { previous_version: number; previous_is_encrypted: boolean }> {
    checkValueSize(input.value, this.deps.valueMaxBytes);
    const expected = input.ifMatch ?? input.expected_version;
    if (
      input.ifMatch !== undefined &&
      input.expected_version !== undefined &&
      input.ifMatch !== input.expected_version
    ) {
      // Two preconditions that cannot both hold: the write cannot be based on both versions.
      throw new VaultVersionError("If-Match and expected_version disagree", {
        details: `If-Match ${input.ifMatch}, expected_version ${input.expected_version}`,
      });
    }
    const path = refPath(ref);
    return this.vault("update", async () => {
      for (let attempt = 1; ; attempt++) {
        const current = await this.current(ref);
        if (expected !== undefined && expected !== current.version) {
          // The client's copy (perhaps served from cache) is stale: the cache follows Vault now.
          await this.deps.store.observed(path, current);
          throw this.conflict(ref, expected, current.version);
        }
        const own = isOwnShape(current.data);
        if (!own && !input.replace) {
          throw new ForeignShapeError("The configuration was written by another client in its own shape", {
            details: `${path} holds fields ${Object.keys(current.data).sort().join(", ")}; PUT with ?replace=true to replace them`,
          });
        }
        const data = {
          value: input.value,
          is_encrypted: input.is_encrypted ?? (own ? current.data.is_encrypted !== false : true),
          created_at: own && typeof current.data.created_at === "string" ? current.data.created_at : current.createdAt,
        };
        try {
          const written = await this.deps.store.write(path, data, current.version);
          const record = toRecord(ref, { data, ...written });
          await this.changed(record, operation === "rotate" ? "config.rotated" : "config.updated", actor, operation);
          return {
            ...record,
            previous_version: current.version,
            previous_is_encrypted: !own || current.data.is_encrypted !== false,
          };
        } catch (error) {
          // A rotation is never retried over another writer: that writer's value wins and the rotation waits.
          const lastWriterWins = expected === undefined && operation === "update";
          if (!(error instanceof VaultVersionError) || !lastWriterWins || attempt >= UNCONDITIONAL_ATTEMPTS)
            throw error;
          await retryPause(attempt);
        }
      }
    }).catch((error: unknown) => this.deps.activity.failed(operation, ref, actor, error));
  }

  /** Makes one older version unreadable (soft delete): the end of a rotation's grace period. */
  async retireVersion(ref: ConfigRef, version: number, actor: Actor): Promise<void> {
    await this.vault("update", () => this.deps.kv.deleteVersions(refPath(ref), [version]));
    await this.deps.activity.changed(
      ref,
      "config.version_retired",
      actor,
      { operation: "retire_version", version },
      {
        version,
      },
    );
  }

  /** Soft delete of exactly the version read (history kept); `purge` destroys every version. */
  async remove(
    ref: ConfigRef,
    options: { ifMatch?: number | undefined; purge?: boolean },
    actor: Actor,
  ): Promise<{ deleted: true; version: number; purged: boolean }> {
    const path = refPath(ref);
    return this.vault("delete", async () => {
      const current = await this.current(ref);
      if (options.ifMatch !== undefined && options.ifMatch !== current.version) {
        await this.deps.store.observed(path, current);
        throw this.conflict(ref, options.ifMatch, current.version);
      }
      if (options.purge) await this.deps.store.destroy(path);
      else await this.deps.store.deleteVersion(path, current.version);
      const isEncrypted = isOwnShape(current.data) ? current.data.is_encrypted !== false : true;
      await this.deps.activity.changed(
        ref,
        "config.deleted",
        actor,
        { operation: "delete", version: current.version },
        { version: current.version, is_encrypted: isEncrypted, purged: options.purge === true },
      );
      return { deleted: true as const, version: current.version, purged: options.purge === true };
    }).catch((error: unknown) => this.deps.activity.failed("delete", ref, actor, error));
  }

  async versions(ref: ConfigRef): Promise<{
    key: string;
    environment: string;
    service_name: string;
    current_version: number;
    versions: ConfigVersion[];
  }> {
    return this.vault("read", async () => {
      const meta = await this.deps.kv.metadata(refPath(ref));
      if (!meta) throw this.notFound(ref);
      return {
        key: ref.key,
        environment: ref.environment,
        service_name: ref.service_name,
        current_version: meta.currentVersion,
        versions: meta.versions.map((v: KvVersionInfo) => ({
          version: v.version,
          created_at: v.created_at,
          deleted: v.deleted,
          destroyed: v.destroyed,
          deletion_time: v.deletion_time,
        })),
      };
    });
  }

  /** Restores version N's data, exactly as it was (whatever its shape), as a new version. */
  async rollback(
    ref: ConfigRef,
    input: { version: number; expected_version?: number | undefined },
    actor: Actor,
  ): Promise<ConfigRecord> {
    const path = refPath(ref);
    return this.vault("update", async () => {
      const target = await this.deps.kv.read(path, input.version);
      if (!target) throw this.notFound(ref, input.version);
      const current = await this.deps.kv.current(path);
      if (!current) throw this.notFound(ref);
      if (input.expected_version !== undefined && input.expected_version !== current.version) {
        throw this.conflict(ref, input.expected_version, current.version);
      }
      const written = await this.deps.store.write(path, target.data, current.version);
      const record = toRecord(ref, { data: target.data, ...written });
      await this.changed(record, "config.updated", actor, "rollback");
      return record;
    }).catch((error: unknown) => this.deps.activity.failed("rollback", ref, actor, error));
  }

  private async changed(record: ConfigRecord, type: string, actor: Actor, operation: string): Promise<void> {
    const ref = { environment: record.environment, service_name: record.service_name, key: record.key };
    await this.deps.activity.changed(
      ref,
      type,
      actor,
      { operation, keyHash: shortHash(record.value), version: record.version },
      {
        version: record.version,
        is_encrypted: record.is_encrypted,
        ...(record.is_encrypted ? {} : { value: record.value }),
      },
    );
  }

  /** `vault_enabled` with the Vault, cache and backend state behind it. */
  async status(): Promise<Record<string, unknown>> {
    const health = await this.deps.gateway.health();
    let mount: Record<string, unknown> = { path: this.deps.kv.mount };
    let backend: Record<string, unknown> = { dynamodb: "ok" };
    if (health.status === "healthy") {
      try {
        const tune = await this.deps.gateway.request<{
          data?: { options?: { version?: string } };
          options?: { version?: string };
        }>("mount_tune", { method: "GET", path: `/sys/mounts/${this.deps.kv.mount}/tune` });
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
        memory_ttl_seconds: Math.round(this.deps.cache.memoryTtl / 1000),
        shared_entries: entries,
        memory_entries: this.deps.cache.memoryEntries,
        sensitive_values_cached: false,
      },
      backend,
    };
  }

  /** For the cache sweep: is the cached version still Vault's current, live one? */
  async cachedVersionIsCurrent(key: string, version: number): Promise<"current" | "stale" | "unknown"> {
    if (!key.startsWith("config:")) return "unknown";
    const current = await this.deps.gateway.within(() => this.deps.kv.current(key.slice("config:".length)));
    if (!current || current.deleted || current.destroyed) return "stale";
    return current.version === version ? "current" : "stale";
  }
}
