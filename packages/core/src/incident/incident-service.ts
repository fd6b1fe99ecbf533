import { randomBytes } from "node:crypto";
import { PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { Actor, DynamoAuditLog } from "../audit/audit-log";
import type { StateTable } from "../aws/state-table";
import type { TwoTierCache } from "../cache/two-tier-cache";
import { type Clock, systemClock } from "../clock";
import { refPath } from "../config/validation";
import { VaultError, VaultValidationError } from "../errors";
import type { Logger } from "../logger";
import type { RotationService } from "../rotation/rotation-service";
import type { DynamoRotationStore } from "../rotation/rotation-store";

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

export interface IncidentRecord {
  id: string;
  at: string;
  alarm_name: string;
  alarm_arn: string;
  state: string;
  reason: string;
  scope: { environment?: string; service_name?: string; key?: string };
  actions: string[];
  cache_entries_cleared: number;
  rotated: Array<{ path: string; version?: number; error?: string }>;
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
      table: StateTable;
      cache: TwoTierCache;
      rotation: RotationService;
      rotationStore: DynamoRotationStore;
      audit: DynamoAuditLog;
      logger: Logger;
      clock?: Clock;
    },
  ) {
    this.clock = deps.clock ?? systemClock;
  }

  async handleAlarm(event: CloudWatchAlarmEvent): Promise<IncidentRecord> {
    const data = event.alarmData;
    if (!data?.alarmName || !data.state?.value) throw new VaultValidationError("Not a CloudWatch alarm event");
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
        const prefix = scope.environment
          ? `config:${scope.environment}/${scope.service_name ? `${scope.service_name}/${scope.key ?? ""}` : ""}`
          : "config:";
        incident.cache_entries_cleared = await this.deps.cache.invalidatePrefix(prefix);
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
            incident.rotated.push({ path, error: error instanceof VaultError ? error.message : "rotation failed" });
          }
        }
      }
    }
    await this.deps.table.run("incident write", (c, TableName) =>
      c.send(new PutCommand({ TableName, Item: { pk: "incidents", sk: `${at}#${incident.id}`, ...incident } })),
    );
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

  async list(limit = 50): Promise<IncidentRecord[]> {
    const out = await this.deps.table.run("incident list", (c, TableName) =>
      c.send(
        new QueryCommand({
          TableName,
          KeyConditionExpression: "pk = :pk",
          ExpressionAttributeValues: { ":pk": "incidents" },
          ScanIndexForward: false,
          Limit: limit,
        }),
      ),
    );
    return (out.Items ?? []).map(({ pk: _pk, sk: _sk, ...incident }) => incident as IncidentRecord);
  }
}
