import { randomBytes } from "node:crypto";
import type { Actor, AuditLog } from "../audit/audit-log";
import type { TwoTierCache } from "../cache/two-tier-cache";
import { type Clock, systemClock } from "../clock";
import { CACHE_KEY_PREFIXES } from "../config/config-store";
import { refPath } from "../config/validation";
import { ValidationError, VaultopsError } from "../errors";
import type { Logger } from "../logger";
import type { RotationService } from "../rotation/rotation-service";
import type { RotationStore } from "../rotation/rotation-store";
import type { IncidentRecord } from "./incident-record";
import type { IncidentStore } from "./incident-store";

/** The event CloudWatch sends to a Lambda alarm action. */
export interface CloudWatchAlarmEvent {
  source?: string;
  alarmArn?: string;
  time?: string;
  alarmData?: {
    alarmName?: string;
    state?: { value?: string; reason?: string };
    previousState?: { value?: string };
    configuration?: {
      description?: string;
      metrics?: Array<{
        metricStat?: { metric?: { namespace?: string; name?: string; dimensions?: Record<string, string> } };
      }>;
    };
  };
}

/**
 * What an alarm on secret access sets off: the incident is recorded, the shared cache of the affected
 * environment/service is cleared, and, when the alarm's description says `vaultops:action=...,rotate`,
 * the affected secrets (the Key dimension, else every secret of the scope with a rotation policy) are rotated at once.
 */
export class IncidentService {
  private readonly clock: Clock;

  constructor(
    private readonly deps: {
      incidents: IncidentStore;
      cache: TwoTierCache;
      rotation: RotationService;
      rotationStore: RotationStore;
      audit: AuditLog;
      logger: Logger;
      clock?: Clock;
    },
  ) {
    this.clock = deps.clock ?? systemClock;
  }

  async handleAlarm(event: CloudWatchAlarmEvent): Promise<IncidentRecord> {
    const data = event.alarmData;
    if (!data?.alarmName || !data.state?.value) throw new ValidationError("Not a CloudWatch alarm event");
    const dimensions =
      data.configuration?.metrics?.find((m) => m.metricStat?.metric?.dimensions)?.metricStat?.metric?.dimensions ?? {};
    const scope: IncidentRecord["scope"] = {};
    if (dimensions.Environment) scope.environment = dimensions.Environment;
    if (dimensions.Service) scope.service_name = dimensions.Service;
    if (dimensions.Key) scope.key = dimensions.Key;
    const policy = /vaultops:action=([a-z,-]+)/.exec(data.configuration?.description ?? "")?.[1]?.split(",") ?? [
      "clear-cache",
    ];
    const at = new Date(this.clock.now()).toISOString();
    const incident: IncidentRecord = {
      id: `inc-${at.replace(/[-:.]/g, "")}-${randomBytes(3).toString("hex")}`,
      at,
      alarm_name: data.alarmName,
      alarm_arn: event.alarmArn ?? "",
      state: data.state.value,
      reason: (data.state.reason ?? "").slice(0, 1000),
      scope,
      actions: [],
      cache_entries_cleared: 0,
      rotated: [],
    };
    const actor: Actor = { name: `incident:${data.alarmName}`.slice(0, 200) };
    if (data.state.value === "ALARM") {
      if (policy.includes("clear-cache")) {
        const below = scope.environment
          ? `${scope.environment}/${scope.service_name ? `${scope.service_name}/${scope.key ?? ""}` : ""}`
          : "";
        // The scope's entries of every backend (Vault's and Secrets Manager's).
        incident.cache_entries_cleared += await this.deps.cache.invalidatePrefix(
          ...Object.values(CACHE_KEY_PREFIXES).map((keyPrefix) => `${keyPrefix}${below}`),
        );
        incident.actions.push("clear-cache");
      }
      if (policy.includes("rotate")) {
        incident.actions.push("rotate");
        for (const target of await this.targets(scope)) {
          const path = refPath(target);
          try {
            const done = await this.deps.rotation.rotate(target, actor, "incident");
            incident.rotated.push({ path, version: done.version });
          } catch (error) {
            incident.rotated.push({ path, error: error instanceof VaultopsError ? error.message : "rotation failed" });
          }
        }
      }
    }
    await this.deps.incidents.add(incident);
    await this.deps.audit.record({ operation: "incident", path: incident.alarm_name, success: true }, actor);
    this.deps.logger.warn("incident recorded", {
      id: incident.id,
      alarm: incident.alarm_name,
      actions: incident.actions,
    });
    return incident;
  }

  private async targets(scope: IncidentRecord["scope"]) {
    if (scope.environment && scope.service_name && scope.key) {
      return [{ environment: scope.environment, service_name: scope.service_name, key: scope.key }];
    }
    if (!scope.environment) return [];
    return (await this.deps.rotationStore.all())
      .filter(
        (p) => p.environment === scope.environment && (!scope.service_name || p.service_name === scope.service_name),
      )
      .map((p) => ({ environment: p.environment, service_name: p.service_name, key: p.key }));
  }

  list(limit = 50): Promise<IncidentRecord[]> {
    return this.deps.incidents.list(limit);
  }
}
