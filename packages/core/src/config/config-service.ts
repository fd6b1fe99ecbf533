import type { Actor } from "../audit/audit-log";
import { ForeignShapeError, VersionConflictError } from "../errors";
import { shortHash } from "../hash";
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

/**
 * The configuration service at `{environment}/{service_name}/{key}` on the backend that serves the
 * scope (Vault KV v2, or Secrets Manager), the single source of truth: the reads of ConfigReads, and
 * the changes. Every change goes through the backend's one write path (ConfigStore) and is
 * check-and-set; every change is audited and published (ConfigActivity).
 */
export class ConfigService extends ConfigReads {
  async create(input: CreateConfigInput, actor: Actor): Promise<ConfigRecord> {
    checkValueSize(input.value, this.deps.valueMaxBytes);
    const ref = { environment: input.environment, service_name: input.service_name, key: input.key };
    const path = refPath(ref);
    const backend = this.backend(ref);
    return this.run(backend, "create", async () => {
      const data = { value: input.value, is_encrypted: input.is_encrypted, created_at: new Date().toISOString() };
      let written: { version: number; createdAt: string };
      try {
        written = await backend.store.write(path, data, 0);
      } catch (error) {
        if (!(error instanceof VersionConflictError)) throw error;
        // The key exists in the backend's metadata: allowed only when its current version is deleted.
        const current = await backend.kv.current(path);
        if (current && !(current.deleted || current.destroyed)) {
          throw new VersionConflictError("Configuration already exists", {
            details: `${path} is at version ${current.version}; use PUT to change it`,
          });
        }
        written = await backend.store.write(path, data, current?.version ?? 0);
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
        const data = {
          value: input.value,
          is_encrypted: input.is_encrypted ?? own?.sensitive ?? true,
          created_at: own?.created_at ?? current.createdAt,
        };
        try {
          const written = await backend.store.write(path, data, current.version);
          const record = toRecord(ref, { data, ...written });
          await this.changed(record, operation === "rotate" ? "config.rotated" : "config.updated", actor, operation);
          return {
            ...record,
            previous_version: current.version,
            previous_is_encrypted: own?.sensitive ?? true,
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

  /** Soft delete of exactly the version read (history kept); `purge` destroys every version. */
  async remove(
    ref: ConfigRef,
    options: { ifMatch?: number | undefined; purge?: boolean },
    actor: Actor,
  ): Promise<{ deleted: true; version: number; purged: boolean }> {
    const path = refPath(ref);
    const backend = this.backend(ref);
    return this.run(backend, "delete", async () => {
      const current = await this.current(backend, ref);
      if (options.ifMatch !== undefined && options.ifMatch !== current.version) {
        await backend.store.observed(path, current);
        throw this.conflict(ref, options.ifMatch, current.version);
      }
      if (options.purge) await backend.store.destroy(path);
      else await backend.store.deleteVersion(path, current.version);
      const isEncrypted = isSensitive(current.data);
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

  /** Restores version N's data, exactly as it was (whatever its shape), as a new version. */
  async rollback(
    ref: ConfigRef,
    input: { version: number; expected_version?: number | undefined },
    actor: Actor,
  ): Promise<ConfigRecord> {
    const path = refPath(ref);
    const backend = this.backend(ref);
    return this.run(backend, "update", async () => {
      const target = await backend.kv.read(path, input.version);
      if (!target) throw this.notFound(ref, input.version);
      const current = await backend.kv.current(path);
      if (!current) throw this.notFound(ref);
      if (input.expected_version !== undefined && input.expected_version !== current.version) {
        throw this.conflict(ref, input.expected_version, current.version);
      }
      const written = await backend.store.write(path, target.data, current.version);
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
}
