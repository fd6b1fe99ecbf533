import type { Actor } from "../audit/audit-log";
import { ForbiddenError, ForeignShapeError, VersionConflictError } from "../errors";
import { shortHash } from "../hash";
import type { KvSecret } from "./kv-store";
import { ConfigReads } from "./reads";
import { type ConfigRecord, isSensitive, ownShape, toRecord } from "./shape";
import { type ConfigRef, type CreateConfigInput, checkValueSize, refPath, type UpdateConfigInput } from "./validation";

export type { ConfigServiceDeps, ConfigVersion } from "./reads";
export type { ConfigRecord } from "./shape";

/**
 * An unconditional PUT re-reads and retries its own check-and-set (last writer wins) up to this many
 * times inside its deadline, with a jittered pause that grows, so parallel writers do not collide again.
 */
const UNCONDITIONAL_ATTEMPTS = 30;
const retryPause = (attempt: number) => new Promise((r) => setTimeout(r, Math.random() * Math.min(50, 5 * attempt)));

/** Who may turn a sensitive key plain again: an explicit choice, refused to anyone but an admin. */
export interface SensitivityRights {
  /** The caller may make a key that is (or was) sensitive plain again (`admin`). */
  mayMakePlain?: boolean;
}

/** A key is sensitive from the moment any version is: the current data says so, or the key is marked. */
const keyIsSensitive = (secret: Pick<KvSecret, "data" | "keySensitive">): boolean =>
  isSensitive(secret.data) || secret.keySensitive === true;

function refuseMakingPlain(path: string): never {
  throw new ForbiddenError("Making a sensitive configuration plain again needs the admin scope", {
    path,
    details: `${path} is (or was) sensitive: its versions stay sensitive unless an admin sets is_encrypted false`,
  });
}

/**
 * The configuration service at `{environment}/{service_name}/{key}` on the backend that serves the
 * scope (Vault KV v2, or Secrets Manager), the single source of truth: the reads of ConfigReads, and
 * the changes. Every change goes through the backend's one write path (ConfigStore) and is
 * check-and-set; every change is audited and published (ConfigActivity).
 */
export class ConfigService extends ConfigReads {
  async create(input: CreateConfigInput, actor: Actor, rights: SensitivityRights = {}): Promise<ConfigRecord> {
    checkValueSize(input.value, this.deps.valueMaxBytes);
    const ref = { environment: input.environment, service_name: input.service_name, key: input.key };
    const path = refPath(ref);
    const backend = this.backend(ref);
    return this.run(backend, "create", async () => {
      let data = {
        value: input.value,
        is_encrypted: input.is_encrypted ?? false,
        created_at: new Date().toISOString(),
      };
      let written: { version: number; createdAt: string };
      let marked = false;
      try {
        written = await backend.store.write(path, data, 0);
      } catch (error) {
        if (!(error instanceof VersionConflictError)) throw error;
        // The key exists in the backend's metadata: allowed only when its current version is deleted.
        const meta = await backend.kv.metadata(path);
        const current = meta?.versions.find((v) => v.version === meta.currentVersion);
        if (meta && current && !(current.deleted || current.destroyed)) {
          throw new VersionConflictError("Configuration already exists", {
            details: `${path} is at version ${current.version}; use PUT to change it`,
          });
        }
        // A key that was sensitive stays so: its history holds sensitive versions.
        marked = meta?.keySensitive === true;
        const makePlain = marked && input.is_encrypted === false;
        if (makePlain && !rights.mayMakePlain) refuseMakingPlain(path);
        if (marked && input.is_encrypted === undefined) data = { ...data, is_encrypted: true };
        written = await backend.store.write(path, data, meta?.currentVersion ?? 0, { marked, unmark: makePlain });
        marked = marked && !makePlain;
      }
      const record = toRecord(ref, { data, ...written, keySensitive: marked });
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
    rights: SensitivityRights = {},
  ): Promise<ConfigRecord & { previous_version: number; previous_is_encrypted: boolean }> {
    checkValueSize(input.value, this.deps.valueMaxBytes);
    const expected = input.ifMatch ?? input.expected_version;
    if (
      input.ifMatch !== undefined &&
      input.expected_version !== undefined &&
      input.ifMatch !== input.expected_version
    ) {
      // Two preconditions that cannot both hold: the write cannot be based on both versions.
      throw new VersionConflictError("If-Match and expected_version disagree", {
        details: `If-Match ${input.ifMatch}, expected_version ${input.expected_version}`,
      });
    }
    const path = refPath(ref);
    const backend = this.backend(ref);
    return this.run(backend, "update", async () => {
      for (let attempt = 1; ; attempt++) {
        const current = await this.current(backend, ref);
        if (expected !== undefined && expected !== current.version) {
          // The client's copy (perhaps served from cache) is stale: the cache follows the backend now.
          await backend.store.observed(path, current);
          throw this.conflict(ref, expected, current.version);
        }
        const own = ownShape(current.data);
        if (!own && !input.replace) {
          throw new ForeignShapeError("The configuration was written by another client in its own shape", {
            details: `${path} holds fields ${Object.keys(current.data).sort().join(", ")}; PUT with ?replace=true to replace them`,
          });
        }
        const wasSensitive = keyIsSensitive(current);
        const makePlain = wasSensitive && input.is_encrypted === false;
        if (makePlain && !rights.mayMakePlain) refuseMakingPlain(path);
        const data = {
          value: input.value,
          is_encrypted: input.is_encrypted ?? wasSensitive,
          created_at: own?.created_at ?? current.createdAt,
        };
        try {
          const written = await backend.store.write(path, data, current.version, {
            marked: current.keySensitive,
            unmark: makePlain,
          });
          const record = toRecord(ref, { data, ...written, keySensitive: current.keySensitive && !makePlain });
          await this.changed(record, operation === "rotate" ? "config.rotated" : "config.updated", actor, operation);
          return {
            ...record,
            previous_version: current.version,
            previous_is_encrypted: wasSensitive,
          };
        } catch (error) {
          // A rotation is never retried over another writer: that writer's value wins and the rotation waits.
          const lastWriterWins = expected === undefined && operation === "update";
          if (!(error instanceof VersionConflictError) || !lastWriterWins || attempt >= UNCONDITIONAL_ATTEMPTS)
            throw error;
          await retryPause(attempt);
        }
      }
    }).catch((error: unknown) => this.deps.activity.failed(operation, ref, actor, error));
  }

  /** Makes one older version unreadable (soft delete): the end of a rotation's grace period. */
  async retireVersion(ref: ConfigRef, version: number, actor: Actor): Promise<void> {
    const backend = this.backend(ref);
    await this.run(backend, "update", () => backend.kv.deleteVersions(refPath(ref), [version]));
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

  /**
   * Soft delete of exactly the version read (history kept); `purge` destroys every version, a key whose
   * current version is already deleted included. Check-and-set with `If-Match`, and one winner among
   * concurrent deletes of one version (a claim in the state table): one 200, one audit record, one
   * event; the others 409.
   */
  async remove(
    ref: ConfigRef,
    options: { ifMatch?: number | undefined; purge?: boolean },
    actor: Actor,
  ): Promise<{ deleted: true; version: number; purged: boolean }> {
    const path = refPath(ref);
    const backend = this.backend(ref);
    const purge = options.purge === true;
    return this.run(backend, "delete", async () => {
      let version: number;
      let sensitive: boolean;
      if (purge) {
        const meta = await backend.kv.metadata(path);
        if (!meta) {
          await backend.store.observed(path, undefined);
          throw this.notFound(ref);
        }
        version = meta.currentVersion;
        const live = meta.keySensitive ? undefined : await backend.kv.read(path);
        sensitive = meta.keySensitive || (live ? keyIsSensitive(live) : true);
      } else {
        const current = await this.current(backend, ref);
        version = current.version;
        sensitive = keyIsSensitive(current);
      }
      if (options.ifMatch !== undefined && options.ifMatch !== version) {
        if (!purge) await backend.store.observed(path, await backend.kv.read(path));
        throw this.conflict(ref, options.ifMatch, version);
      }
      const claim = `${backend.store.keyOf(path)}#${version}${purge ? "#purge" : ""}`;
      if (this.deps.claims && !(await this.deps.claims.claim(claim, 60_000)))
        throw new VersionConflictError("Version conflict: another request is deleting this version", {
          details: `${path} version ${version}`,
        });
      try {
        if (purge) await backend.store.destroy(path);
        else await backend.store.deleteVersion(path, version);
      } catch (error) {
        // It did not happen: another request may try.
        await this.deps.claims?.release(claim).catch(() => {});
        throw error;
      }
      await this.deps.activity.changed(
        ref,
        "config.deleted",
        actor,
        { operation: "delete", version },
        { version, is_encrypted: sensitive, purged: purge },
      );
      return { deleted: true as const, version, purged: purge };
    }).catch((error: unknown) => this.deps.activity.failed("delete", ref, actor, error));
  }

  /**
   * Restores version N's data, exactly as it was (whatever its shape), as a new version. A key that is
   * (or was) sensitive stays sensitive: a plain version comes back flagged sensitive, unless an admin
   * says `is_encrypted: false`.
   */
  async rollback(
    ref: ConfigRef,
    input: { version: number; expected_version?: number | undefined; is_encrypted?: boolean | undefined },
    actor: Actor,
    rights: SensitivityRights = {},
  ): Promise<ConfigRecord> {
    const path = refPath(ref);
    const backend = this.backend(ref);
    return this.run(backend, "update", async () => {
      const target = await backend.kv.read(path, input.version);
      if (!target) throw this.notFound(ref, input.version);
      const meta = await backend.kv.metadata(path);
      if (!meta) throw this.notFound(ref);
      if (input.expected_version !== undefined && input.expected_version !== meta.currentVersion) {
        throw this.conflict(ref, input.expected_version, meta.currentVersion);
      }
      const live = meta.keySensitive ? undefined : await backend.kv.read(path);
      const wasSensitive = meta.keySensitive || (live !== undefined && isSensitive(live.data));
      const own = ownShape(target.data);
      const makePlain = wasSensitive && input.is_encrypted === false;
      if (makePlain && !rights.mayMakePlain) refuseMakingPlain(path);
      const data =
        own && !own.sensitive && wasSensitive && !makePlain ? { ...target.data, is_encrypted: true } : target.data;
      const written = await backend.store.write(path, data, meta.currentVersion, {
        marked: meta.keySensitive,
        unmark: makePlain,
      });
      const record = toRecord(ref, { data, ...written, keySensitive: meta.keySensitive && !makePlain });
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
      // Never the value, even a plain one: it may be made sensitive later, and events cannot be recalled.
      { version: record.version, is_encrypted: record.is_encrypted, value_sha256_prefix: shortHash(record.value) },
    );
  }
}
