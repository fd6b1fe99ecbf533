import type { Actor } from "../audit/audit-log";
import type { TwoTierCache } from "../cache/two-tier-cache";
import {
  BackendUnavailableError,
  SecretsScopeRequiredError,
  ValidationError,
  VaultConnectionError,
  VaultSealedError,
  VaultSecretNotFoundError,
  VersionConflictError,
} from "../errors";
import { shortHash } from "../hash";
import type { ConfigActivity } from "./activity";
import type { BackendRouter, ConfigBackend } from "./backends";
import type { ClaimStore } from "./claims";
import { cacheable } from "./config-store";
import type { KvSecret, KvVersionInfo } from "./kv-store";
import { type ConfigRecord, toRecord } from "./shape";
import { type ConfigRef, parseIfMatch, refPath } from "./validation";

export interface ConfigVersion {
  version: number;
  created_at: string;
  deleted: boolean;
  destroyed: boolean;
  /** When the version is (or, with `delete_version_after`, will be) deleted. */
  deletion_time: string | null;
}

export interface ConfigServiceDeps {
  /** Which backend (Vault KV v2, Secrets Manager) serves each environment and service. */
  backends: BackendRouter;
  /** One winner among concurrent deletes of one version. */
  claims?: ClaimStore;
  cache: TwoTierCache;
  activity: ConfigActivity;
  valueMaxBytes: number;
}

/**
 * Whether the caller may see sensitive values, as the edge's authorize() decided it (its `sensitive`:
 * `secrets:read`, or `admin`). Only the service knows which key is sensitive, so it refuses here: `false`
 * refuses a sensitive key's value or history with 403 secrets_scope_required (the edge audits and counts
 * the refusal); absent, as for the plane's own reads, allows.
 */
export interface SensitiveAccess {
  allowSensitive?: boolean;
}

/** What `If-None-Match` names: `*` (any existing version) or the versions the client holds. */
export type IfNoneMatch = "*" | readonly number[];

/**
 * `If-None-Match: "3"`, `3`, `W/"3"`, a list (`"2", "3"`) or `*`; each entity tag in the form If-Match
 * takes (parseIfMatch). Anything else (an empty value, an empty list item, `*` within a list) is a 400.
 */
export function parseIfNoneMatch(header: string | undefined): IfNoneMatch | undefined {
  if (header === undefined) return undefined;
  if (header.trim() === "*") return "*";
  const versions: number[] = [];
  for (const tag of header.split(",")) {
    let version: number | undefined;
    try {
      version = parseIfMatch(tag);
    } catch {
      version = undefined;
    }
    if (version === undefined) {
      throw new ValidationError("Invalid If-None-Match header", {
        details: 'expected versions as ETags such as "3", W/"3" or "2", "3"; or *',
      });
    }
    versions.push(version);
  }
  return versions;
}

/** Whether the version a read would serve is one `If-None-Match` names (`*`: any version there is). */
export const matchesIfNoneMatch = (condition: IfNoneMatch, version: number): boolean =>
  condition === "*" || condition.includes(version);

/**
 * The reads of the configuration service: non-sensitive values through the two-tier cache,
 * sensitive ones from the backend every time; every value returned is an audited, counted read.
 */
export class ConfigReads {
  constructor(protected readonly deps: ConfigServiceDeps) {}

  /** The backend that serves this environment and service (CONFIG_BACKENDS). */
  protected backend(scope: { environment: string; service_name: string }): ConfigBackend {
    return this.deps.backends.for(scope);
  }

  /** One operation: one deadline, and an unavailable backend named per operation (503, never 404). */
  protected run<T>(backend: ConfigBackend, operation: string, fn: () => Promise<T>): Promise<T> {
    return backend.scope.within(fn).catch((error: unknown) => {
      if (error instanceof BackendUnavailableError) {
        throw new BackendUnavailableError(`Cannot ${operation} configuration: ${backend.label} is not available`, {
          cause: error,
          ...(error.details ? { details: error.details } : {}),
        });
      }
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

  protected notFound(ref: ConfigRef, version?: number): VaultSecretNotFoundError {
    return new VaultSecretNotFoundError(version ? "Configuration version not found" : "Configuration not found", {
      details: `${refPath(ref)}${version ? ` version ${version}` : ""}`,
    });
  }

  /** A sensitive key's value or history asked for without `allowSensitive` (SensitiveAccess). */
  protected sensitiveRefused(ref: ConfigRef, what: "value" | "history"): SecretsScopeRequiredError {
    const subject = what === "value" ? "Reading a sensitive configuration" : "The history of a sensitive configuration";
    return new SecretsScopeRequiredError(`${subject} needs the secrets:read scope`, {
      path: refPath(ref),
      details: `${refPath(ref)} is sensitive`,
    });
  }

  protected conflict(ref: ConfigRef, expected: number, current: number): VersionConflictError {
    return new VersionConflictError("Version conflict: the configuration was changed by another writer", {
      details: `${refPath(ref)}: expected version ${expected}, current is ${current}`,
    });
  }

  /** The current version from the backend, no cache; a 404 also drops any cached copy. */
  protected async current(backend: ConfigBackend, ref: ConfigRef): Promise<KvSecret> {
    const secret = await backend.kv.read(refPath(ref));
    if (!secret) {
      await backend.store.observed(refPath(ref), undefined);
      throw this.notFound(ref);
    }
    return secret;
  }

  /** A cached or fresh read of the current version; `revalidate` reads the backend (Cache-Control: no-cache). */
  protected async cachedRead(
    backend: ConfigBackend,
    ref: ConfigRef,
    revalidate: boolean,
  ): Promise<{ secret: KvSecret; cacheHit?: boolean }> {
    const result = await this.deps.cache.get(
      backend.store.keyOf(refPath(ref)),
      async () => {
        const secret = await backend.kv.read(refPath(ref));
        return secret && { value: JSON.stringify(secret), version: secret.version, cacheable: cacheable(secret) };
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
   * The record a GET serves: through the cache (or of an older version, from the backend). A failure
   * with an actor is audited and counted as a failed read; a sensitive value without `allowSensitive`
   * is refused (403) after the read.
   */
  private async load(
    ref: ConfigRef,
    options: { version?: number | undefined; revalidate?: boolean } & SensitiveAccess,
    actor: Actor | undefined,
  ): Promise<{ record: ConfigRecord; hit: boolean | undefined; started: number }> {
    const started = performance.now();
    let record: ConfigRecord;
    let hit: boolean | undefined;
    const backend = this.backend(ref);
    try {
      const { secret, cacheHit } = await this.run(backend, "read", async () => {
        if (!options.version) return this.cachedRead(backend, ref, options.revalidate === true);
        const older = await backend.kv.read(refPath(ref), options.version);
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
    if (record.is_encrypted && options.allowSensitive === false) throw this.sensitiveRefused(ref, "value");
    return { record, hit, started };
  }

  /**
   * A read through the cache (or of an older version, from the backend). With an actor it is an audited
   * secret access: counted per environment and service, and written to the audit trail.
   */
  async get(
    ref: ConfigRef,
    options: { version?: number | undefined; revalidate?: boolean } & SensitiveAccess = {},
    actor?: Actor,
  ): Promise<ConfigRecord> {
    const { record, hit, started } = await this.load(ref, options, actor);
    if (actor) await this.auditedRead(ref, actor, record, hit, started);
    return record;
  }

  /**
   * A conditional GET (`If-None-Match`): the record the same read would serve, and whether its version is
   * one the client already holds (`notModified`: the answer is 304). Same read path, same refusals and
   * failures as get(); a 304 is audited as a `revalidate` of that version and counted apart from reads,
   * any other answer is the audited read get() makes.
   */
  async getUnlessCurrent(
    ref: ConfigRef,
    options: { version?: number | undefined; revalidate?: boolean; ifNoneMatch: IfNoneMatch } & SensitiveAccess,
    actor?: Actor,
  ): Promise<{ record: ConfigRecord; notModified: boolean }> {
    const { record, hit, started } = await this.load(ref, options, actor);
    const notModified = matchesIfNoneMatch(options.ifNoneMatch, record.version);
    if (actor && notModified) {
      await this.deps.activity.revalidated(ref, actor, {
        latencyMs: performance.now() - started,
        keyHash: shortHash(record.value),
        version: record.version,
      });
    } else if (actor) await this.auditedRead(ref, actor, record, hit, started);
    return { record, notModified };
  }

  private auditedRead(
    ref: ConfigRef,
    actor: Actor,
    record: ConfigRecord,
    hit: boolean | undefined,
    started: number,
  ): Promise<void> {
    return this.deps.activity.read(ref, actor, {
      ok: true,
      cacheHit: hit,
      latencyMs: performance.now() - started,
      keyHash: shortHash(record.value),
      version: record.version,
    });
  }

  /**
   * One page of a service's configurations: one listing and at most `limit` reads (through the
   * cache), whatever the size of the service. `total` is what the backend lists: keys whose current version
   * is soft-deleted count there but are not items. Every value returned is an audited read.
   */
  async list(
    query: { environment: string; service_name: string; limit: number; offset: number },
    actor?: Actor,
    /** Keys the caller may not see are left out before paging, and not counted. */
    visible: (path: string) => boolean = () => true,
  ): Promise<{ items: ConfigRecord[]; total: number; limit: number; offset: number; has_more: boolean }> {
    const folder = `${query.environment}/${query.service_name}`;
    const backend = this.backend(query);
    const keys = (await this.run(backend, "list", () => backend.kv.list(folder))).filter((k) =>
      visible(`${folder}/${k}`),
    );
    const page = keys.slice(query.offset, query.offset + query.limit);
    const refs = new Map(
      page.map((key) => {
        const ref = { environment: query.environment, service_name: query.service_name, key };
        return [backend.store.keyOf(refPath(ref)), ref] as const;
      }),
    );
    const started = performance.now();
    const found = await this.run(backend, "list", () =>
      this.deps.cache.getMany([...refs.keys()], async (cacheKey) => {
        const path = refPath(refs.get(cacheKey) as ConfigRef);
        const secret = await backend.kv.read(path);
        return secret && { value: JSON.stringify(secret), version: secret.version, cacheable: cacheable(secret) };
      }),
    );
    const latencyMs = performance.now() - started;
    const reads: Array<{ ref: ConfigRef; outcome: Parameters<ConfigActivity["read"]>[2] }> = [];
    const items: ConfigRecord[] = [];
    for (const [cacheKey, ref] of refs) {
      // Gone since the listing (deleted by another client): not an item.
      const result = found.get(cacheKey);
      if (!result) continue;
      const record = toRecord(ref, JSON.parse(result.value) as KvSecret);
      items.push(record);
      reads.push({
        ref,
        outcome: {
          ok: true,
          ...(result.cacheable ? { cacheHit: result.tier !== "origin" } : {}),
          latencyMs,
          keyHash: shortHash(record.value),
          version: record.version,
        },
      });
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

  /**
   * The version history (metadata, never a value). The history of a key that is (or was) sensitive is
   * for `secrets:read` only (`allowSensitive`): which versions a secret had, and when, is about the secret.
   */
  async versions(
    ref: ConfigRef,
    options: SensitiveAccess = {},
  ): Promise<{
    key: string;
    environment: string;
    service_name: string;
    current_version: number;
    versions: ConfigVersion[];
  }> {
    const backend = this.backend(ref);
    return this.run(backend, "read", async () => {
      const meta = await backend.kv.metadata(refPath(ref));
      if (!meta) throw this.notFound(ref);
      if (options.allowSensitive === false) {
        const live = meta.keySensitive ? undefined : await backend.kv.read(refPath(ref));
        if (meta.keySensitive || (live && toRecord(ref, live).is_encrypted))
          throw this.sensitiveRefused(ref, "history");
      }
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

  /** For the cache sweep: is the cached version still the backend's current, live one? */
  async cachedVersionIsCurrent(key: string, version: number): Promise<"current" | "stale" | "unknown"> {
    const backend = this.deps.backends.ofCacheKey(key);
    if (!backend) return "unknown";
    const path = key.slice(backend.store.keyPrefix.length);
    const current = await backend.scope.within(() => backend.kv.current(path));
    if (!current || current.deleted || current.destroyed) return "stale";
    return current.version === version ? "current" : "stale";
  }
}
