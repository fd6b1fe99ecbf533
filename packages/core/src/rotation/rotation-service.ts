import * as z from "zod/mini";
import type { Actor } from "../audit/audit-log";
import { type Clock, systemClock } from "../clock";
import type { ConfigService } from "../config/config-service";
import { type ConfigRef, refPath } from "../config/validation";
import { NotFoundError, VaultopsError, VersionConflictError } from "../errors";
import type { Logger } from "../logger";
import { integer } from "../schema";
import { DEFAULT_GENERATOR, generateSecret, generatorSchema } from "./generator";
import type { RotationHistoryEntry, RotationPolicy, RotationStore } from "./rotation-store";

export const rotationPolicySchema = z.object({
  interval_days: integer("interval_days", 1, 3650),
  grace_period_hours: z._default(integer("grace_period_hours", 0, 8760), 24),
  auto_rotate: z._default(z.boolean(), true),
  generator: z._default(generatorSchema, DEFAULT_GENERATOR),
});
export type RotationPolicyInput = z.infer<typeof rotationPolicySchema>;

const DAY = 86_400_000;
const HOUR = 3_600_000;

export interface RotationStatus {
  last_rotated_at: string | null;
  last_version: number | null;
  previous_version: number | null;
  grace_until: string | null;
  next_due_at: string;
  last_outcome: string | null;
  last_error: string | null;
  consecutive_failures: number;
  due: boolean;
  overdue: boolean;
}

/**
 * Rotation: policies per secret path, an hourly job that rotates what is due by writing
 * a new KV v2 version with check-and-set (a concurrent writer wins, the rotation is retried next
 * run), the previous version readable through the grace period, and a history per path.
 */
export class RotationService {
  private readonly clock: Clock;

  constructor(private readonly deps: { config: ConfigService; store: RotationStore; logger: Logger; clock?: Clock }) {
    this.clock = deps.clock ?? systemClock;
  }

  status(policy: RotationPolicy, now = this.clock.now()): RotationStatus {
    const base = Date.parse(policy.last_rotated_at ?? policy.created_at);
    const nextDue = base + policy.interval_days * DAY;
    const due = policy.auto_rotate && nextDue <= now;
    return {
      last_rotated_at: policy.last_rotated_at ?? null,
      last_version: policy.last_version ?? null,
      previous_version: policy.previous_version ?? null,
      grace_until: policy.grace_until ?? null,
      next_due_at: new Date(nextDue).toISOString(),
      last_outcome: policy.last_outcome ?? null,
      last_error: policy.last_error ?? null,
      consecutive_failures: policy.consecutive_failures ?? 0,
      due,
      // Missed at least one hourly run, or the last attempt failed.
      overdue: due && (nextDue + HOUR < now || (policy.consecutive_failures ?? 0) > 0),
    };
  }

  private view(policy: RotationPolicy) {
    return { ...policy, status: this.status(policy) };
  }

  async putPolicy(ref: ConfigRef, input: RotationPolicyInput, actor: Actor) {
    // The secret must exist: a policy for nothing would fail every hour.
    await this.deps.config.get(ref);
    const path = refPath(ref);
    const existing = await this.deps.store.get(path);
    const now = new Date(this.clock.now()).toISOString();
    const policy: RotationPolicy = {
      ...(existing ?? {}),
      path,
      ...ref,
      interval_days: input.interval_days,
      grace_period_hours: input.grace_period_hours,
      auto_rotate: input.auto_rotate,
      generator: input.generator,
      created_at: existing?.created_at ?? now,
      updated_at: now,
    };
    await this.deps.store.put(policy);
    this.deps.logger.info("rotation policy saved", { path, actor: actor.name });
    return this.view(policy);
  }

  async getPolicy(ref: ConfigRef) {
    const policy = await this.deps.store.get(refPath(ref));
    if (!policy) throw new NotFoundError("No rotation policy for this configuration", { details: refPath(ref) });
    return this.view(policy);
  }

  async deletePolicy(ref: ConfigRef): Promise<void> {
    if (!(await this.deps.store.delete(refPath(ref)))) {
      throw new NotFoundError("No rotation policy for this configuration", { details: refPath(ref) });
    }
  }

  async history(ref: ConfigRef, limit = 50): Promise<RotationHistoryEntry[]> {
    return this.deps.store.history(refPath(ref), limit);
  }

  /** Every policy with its status: overdue first, then due, then by next due time. */
  async statusAll() {
    const now = this.clock.now();
    const rows = (await this.deps.store.all()).map((p) => ({ ...p, status: this.status(p, now) }));
    const rank = (r: (typeof rows)[number]) => (r.status.overdue ? 0 : r.status.due ? 1 : 2);
    rows.sort((a, b) => rank(a) - rank(b) || a.status.next_due_at.localeCompare(b.status.next_due_at));
    return {
      policies: rows,
      total: rows.length,
      due: rows.filter((r) => r.status.due).length,
      overdue: rows.filter((r) => r.status.overdue).length,
    };
  }

  /** Rotate now (manual, incident) or as part of the job; one claimed attempt, its outcome recorded. */
  async rotate(ref: ConfigRef, actor: Actor, trigger: "manual" | "schedule" | "incident" = "manual") {
    const path = refPath(ref);
    const now = this.clock.now();
    const policy = await this.deps.store.get(path);
    if (policy && !(await this.deps.store.claim(path, now, 5 * 60_000))) {
      throw new VersionConflictError("A rotation of this secret is already running", { details: path });
    }
    const at = new Date(now).toISOString();
    try {
      const generator = policy?.generator ?? DEFAULT_GENERATOR;
      // Check-and-set against the version just read: a concurrent writer makes this a conflict, never a
      // lost write. A generated secret is sensitive whatever the config was: never cached or in an event.
      const record = await this.deps.config.update(
        ref,
        { value: generateSecret(generator), is_encrypted: true },
        actor,
        "rotate",
      );
      const graceUntil = new Date(now + (policy?.grace_period_hours ?? 24) * HOUR).toISOString();
      if (policy) {
        const next: RotationPolicy = {
          ...policy,
          last_rotated_at: at,
          last_attempt_at: at,
          last_version: record.version,
          previous_version: record.previous_version,
          grace_until: graceUntil,
          previous_retired: false,
          last_outcome: "success",
          consecutive_failures: 0,
        };
        delete next.last_error;
        await this.deps.store.saveState(next);
      }
      await this.deps.store.addHistory(path, {
        at,
        outcome: "success",
        trigger,
        version: record.version,
        previous_version: record.previous_version,
        actor: actor.name,
      });
      this.deps.logger.info("secret rotated", { path, version: record.version, trigger });
      return {
        message: "Secret rotated",
        key: ref.key,
        environment: ref.environment,
        service_name: ref.service_name,
        version: record.version,
        previous_version: record.previous_version,
        is_encrypted: true,
        // A plain config that is rotated becomes sensitive: its value is read from Vault from now on.
        made_sensitive: !record.previous_is_encrypted,
        rotated_at: at,
        previous_readable_until: graceUntil,
        ...(policy ? { next_due_at: new Date(now + policy.interval_days * DAY).toISOString() } : {}),
      };
    } catch (error) {
      const outcome = error instanceof VersionConflictError ? "conflict" : "failed";
      const message =
        error instanceof VaultopsError
          ? `${error.message}${error.details ? `: ${error.details}` : ""}`
          : "rotation failed";
      if (policy) {
        await this.deps.store.saveState({
          ...policy,
          last_attempt_at: at,
          last_outcome: outcome,
          last_error: message,
          consecutive_failures: (policy.consecutive_failures ?? 0) + 1,
        });
      }
      await this.deps.store.addHistory(path, { at, outcome, trigger, error: message, actor: actor.name });
      this.deps.logger.warn("secret rotation failed", { path, outcome, error: message });
      throw error;
    }
  }

  /** The hourly job: rotate what is due, end grace periods that are over. Failures wait for the next run. */
  async runDue(): Promise<Record<string, unknown>> {
    const now = this.clock.now();
    const actor: Actor = { name: "rotation-job" };
    const policies = await this.deps.store.all();
    const summary = { checked: policies.length, rotated: 0, failed: 0, conflicts: 0, retired: 0, skipped: 0 };
    for (const policy of policies) {
      const ref = { environment: policy.environment, service_name: policy.service_name, key: policy.key };
      // First end a grace period that is over, so a new rotation never leaves an older version readable.
      if (
        policy.previous_version &&
        !policy.previous_retired &&
        policy.grace_until &&
        Date.parse(policy.grace_until) <= now
      ) {
        try {
          await this.deps.config.retireVersion(ref, policy.previous_version, actor);
          Object.assign(policy, { previous_retired: true });
          await this.deps.store.saveState(policy);
          await this.deps.store.addHistory(policy.path, {
            at: new Date(now).toISOString(),
            outcome: "retired",
            trigger: "schedule",
            version: policy.previous_version,
            actor: actor.name,
          });
          summary.retired++;
        } catch (error) {
          this.deps.logger.warn("retiring a previous version failed", { path: policy.path, error });
          summary.failed++;
        }
      }
      if (!this.status(policy, now).due) continue;
      try {
        await this.rotate(ref, actor, "schedule");
        summary.rotated++;
      } catch (error) {
        if (error instanceof VersionConflictError && /already running/.test(error.message)) summary.skipped++;
        else if (error instanceof VersionConflictError) summary.conflicts++;
        else summary.failed++;
      }
    }
    return summary;
  }
}
