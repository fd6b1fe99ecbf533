import type { Actor, AuditEntry, AuditLog } from "../audit/audit-log";
import type { EventPublisher } from "../aws/eventbridge";
import { VaultopsError, VaultPermissionError, VaultSecretNotFoundError, VersionConflictError } from "../errors";
import type { Logger } from "../logger";
import type { AccessMetrics } from "../monitor/access-metrics";
import { type ConfigRef, refPath } from "./validation";

export interface ReadOutcome {
  ok: boolean;
  latencyMs: number;
  /** Undefined for reads that never use the cache (sensitive values, older versions). */
  cacheHit?: boolean | undefined;
  keyHash?: string;
  version?: number;
  error?: unknown;
}

const codeOf = (error: unknown): string =>
  error instanceof VaultopsError
    ? error.code
    : error instanceof Error && "code" in error
      ? String(error.code)
      : "error";

/**
 * What every configuration operation leaves behind, in one place: the access figures of reads
 * (EMF), the audit record of every read and change (failures included), and the EventBridge event
 * of every change. Nothing here ever carries a sensitive value: values appear as a short hash.
 */
export class ConfigActivity {
  constructor(
    private readonly deps: {
      audit: AuditLog;
      events: EventPublisher;
      logger: Logger;
      accessMetrics?: AccessMetrics | undefined;
      /** Audit every read too (a DynamoDB write per read); changes are always audited. */
      auditReads?: boolean | undefined;
      /** Token names whose creations are planned; `*` for all. Others count as UnplannedKeyCreation. */
      plannedCreators?: ReadonlySet<string>;
      /** Counts creations in the shared counters (Prometheus). */
      onCreated?: (planned: boolean) => void;
    },
  ) {}

  /** A creation by an actor not among the planned creators is counted (the "any unplanned key" alarm). */
  created(actor: Actor): void {
    const planned = this.deps.plannedCreators?.has("*") === true || this.deps.plannedCreators?.has(actor.name) === true;
    if (!planned) this.deps.accessMetrics?.unplannedCreation();
    this.deps.onCreated?.(planned);
  }

  private figures(ref: ConfigRef, outcome: ReadOutcome): void {
    const denied = outcome.error instanceof VaultPermissionError;
    // A miss (404) and a conflict (409) are answers, not failures of the backend.
    const answer = outcome.error instanceof VaultSecretNotFoundError || outcome.error instanceof VersionConflictError;
    const metrics: { ok: boolean; denied: boolean; latencyMs: number; cacheHit?: boolean } = {
      ok: outcome.ok || answer,
      denied,
      latencyMs: outcome.latencyMs,
    };
    if (outcome.cacheHit !== undefined) metrics.cacheHit = outcome.cacheHit;
    this.deps.accessMetrics?.record(ref.environment, ref.service_name, metrics);
  }

  private readEntry(ref: ConfigRef, outcome: ReadOutcome): AuditEntry {
    const entry: AuditEntry = { operation: "read", path: refPath(ref), success: outcome.ok };
    if (outcome.keyHash) entry.keyHash = outcome.keyHash;
    if (outcome.version) entry.version = outcome.version;
    if (outcome.error) entry.error = codeOf(outcome.error);
    return entry;
  }

  /** One secret access: counted per environment and service, and written to the audit trail. */
  async read(ref: ConfigRef, actor: Actor, outcome: ReadOutcome): Promise<void> {
    this.figures(ref, outcome);
    if (this.deps.auditReads === false) return;
    await this.deps.audit.record(this.readEntry(ref, outcome), actor);
  }

  /**
   * A conditional read answered 304 (If-None-Match named the version it would serve): counted apart from
   * reads (Revalidations) and audited as a `revalidate` of that version, as reads are (AUDIT_READS).
   */
  async revalidated(
    ref: ConfigRef,
    actor: Actor,
    outcome: { latencyMs: number; version: number; keyHash?: string },
  ): Promise<void> {
    this.deps.accessMetrics?.revalidated(ref.environment, ref.service_name);
    if (this.deps.auditReads === false) return;
    const entry: AuditEntry = { operation: "revalidate", path: refPath(ref), success: true, version: outcome.version };
    if (outcome.keyHash) entry.keyHash = outcome.keyHash;
    await this.deps.audit.record(entry, actor);
  }

  /** The reads of a list: the same figures and records as single reads, written in batches. */
  async readMany(reads: Array<{ ref: ConfigRef; outcome: ReadOutcome }>, actor: Actor): Promise<void> {
    for (const { ref, outcome } of reads) this.figures(ref, outcome);
    if (this.deps.auditReads === false || reads.length === 0) return;
    await this.deps.audit.recordMany(
      reads.map(({ ref, outcome }) => this.readEntry(ref, outcome)),
      actor,
    );
  }

  /** A change Vault accepted: its audit record and its event (never with a sensitive value). */
  async changed(
    ref: ConfigRef,
    type: string,
    actor: Actor,
    audit: { operation: string; keyHash?: string; version?: number },
    detail: Record<string, unknown>,
  ): Promise<void> {
    const path = refPath(ref);
    try {
      await this.deps.audit.record({ path, success: true, ...audit }, actor);
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

  /** A change that did not happen (refused, conflicting, Vault down) is audited too; the error is rethrown. */
  async failed(operation: string, ref: ConfigRef, actor: Actor, error: unknown): Promise<never> {
    await this.deps.audit
      .record({ operation, path: refPath(ref), success: false, error: codeOf(error) }, actor)
      .catch((auditError: unknown) => this.deps.logger.error("audit write failed", { error: auditError }));
    throw error;
  }
}
