import {
  type CloudWatchAlarmEvent,
  DynamoIncidentStore,
  DynamoRotationStore,
  IncidentService,
  RotationService,
  ValidationError,
} from "@vaultops/core";
import { describe, expect, it } from "vitest";
import { configServices, memoryStateTable } from "../../support/services";

const actor = { name: "tester" };
const billing = { environment: "prod", service_name: "billing" };
const shipping = { environment: "prod", service_name: "shipping" };
const policyInput = {
  interval_days: 30,
  grace_period_hours: 24,
  auto_rotate: true,
  generator: { name: "hex64" as const },
};

/** Incidents on the configuration service, the cache and rotation, all in memory; stores on an in-memory table. */
async function setup() {
  const services = configServices();
  const { state } = memoryStateTable();
  const rotationStore = new DynamoRotationStore(state);
  const rotation = new RotationService({
    config: services.config,
    store: rotationStore,
    logger: services.logger,
    clock: services.clock,
  });
  const incidents = new IncidentService({
    incidents: new DynamoIncidentStore(state),
    cache: services.cache,
    rotation,
    rotationStore,
    audit: services.audit,
    logger: services.logger,
    clock: services.clock,
  });
  for (const [scope, key, value] of [
    [billing, "db", "billing-db"],
    [billing, "url", "billing-url"],
    [shipping, "db", "shipping-db"],
  ] as const) {
    await services.config.create({ ...scope, key, value, is_encrypted: false }, actor);
    // Read through the cache: both tiers hold the value.
    await services.config.get({ ...scope, key });
  }
  return { ...services, rotation, incidents };
}

/** A CloudWatch alarm action's event on the secret access metric of a scope. */
function alarm(
  dimensions: Record<string, string>,
  options: { state?: string; description?: string } = {},
): CloudWatchAlarmEvent {
  return {
    source: "aws.cloudwatch",
    alarmArn: "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:secret-access-spike",
    alarmData: {
      alarmName: "secret-access-spike",
      state: { value: options.state ?? "ALARM", reason: "Threshold Crossed" },
      configuration: {
        ...(options.description ? { description: options.description } : {}),
        metrics: [{ metricStat: { metric: { namespace: "Vaultops", name: "Reads", dimensions } } }],
      },
    },
  };
}

const cachedKeys = (entries: Map<string, { tombstone: boolean }>) =>
  [...entries].filter(([, e]) => !e.tombstone).map(([key]) => key);

describe("IncidentService", () => {
  it("records an alarm with its scope, lists it, and audits it", async () => {
    // Arrange
    const { incidents, audit, clock } = await setup();

    // Act
    const incident = await incidents.handleAlarm(alarm({ Environment: "prod", Service: "billing" }));

    // Assert
    expect(incident).toMatchObject({
      at: new Date(clock.now()).toISOString(),
      alarm_name: "secret-access-spike",
      state: "ALARM",
      reason: "Threshold Crossed",
      scope: { environment: "prod", service_name: "billing" },
    });
    expect(incident.id).toMatch(/^inc-/);
    expect(await incidents.list()).toEqual([incident]);
    expect(audit.records.at(-1)).toMatchObject({
      operation: "incident",
      path: "secret-access-spike",
      actor: "incident:secret-access-spike",
    });
  });

  it("clears the cache of the alarm's scope only (the default action)", async () => {
    // Arrange
    const { incidents, cacheStore } = await setup();
    const before = cachedKeys(cacheStore.entries);

    // Act
    const incident = await incidents.handleAlarm(alarm({ Environment: "prod", Service: "billing" }));

    // Assert: both billing entries gone, shipping's kept, nothing rotated
    expect(before).toHaveLength(3);
    expect(incident.actions).toEqual(["clear-cache"]);
    expect(incident.cache_entries_cleared).toBe(2);
    const after = cachedKeys(cacheStore.entries);
    expect(after).toHaveLength(1);
    expect(after[0]).toContain("prod/shipping/db");
    expect(incident.rotated).toEqual([]);
  });

  it("rotates the alarm's key when the description asks for it", async () => {
    // Arrange
    const { incidents, kv } = await setup();

    // Act
    const incident = await incidents.handleAlarm(
      alarm({ Environment: "prod", Service: "billing", Key: "db" }, { description: "vaultops:action=rotate" }),
    );

    // Assert: only the rotation ran; the key has a new sensitive version, its neighbour is untouched
    expect(incident.actions).toEqual(["rotate"]);
    expect(incident.cache_entries_cleared).toBe(0);
    expect(incident.rotated).toEqual([{ path: "prod/billing/db", version: 2 }]);
    const rotated = await kv.read("prod/billing/db");
    expect(rotated?.data).toMatchObject({ is_encrypted: true });
    expect(rotated?.data.value).not.toBe("billing-db");
    expect((await kv.read("prod/billing/url"))?.version).toBe(1);
  });

  it("without a key, rotates every secret of the scope that has a rotation policy", async () => {
    // Arrange: policies on billing/db and shipping/db
    const { incidents, rotation, kv } = await setup();
    await rotation.putPolicy({ ...billing, key: "db" }, policyInput, actor);
    await rotation.putPolicy({ ...shipping, key: "db" }, policyInput, actor);

    // Act
    const incident = await incidents.handleAlarm(
      alarm({ Environment: "prod", Service: "billing" }, { description: "vaultops:action=clear-cache,rotate" }),
    );

    // Assert
    expect(incident.actions).toEqual(["clear-cache", "rotate"]);
    expect(incident.rotated).toEqual([{ path: "prod/billing/db", version: 2 }]);
    expect((await kv.read("prod/shipping/db"))?.version).toBe(1);
    expect((await rotation.history({ ...billing, key: "db" }))[0]).toMatchObject({
      outcome: "success",
      trigger: "incident",
    });
  });

  it("records a rotation that failed in the incident and goes on", async () => {
    // Arrange: Vault refuses writes
    const { incidents, kv } = await setup();
    kv.beforeWrite = () => {
      throw new Error("disk full");
    };

    // Act
    const incident = await incidents.handleAlarm(
      alarm({ Environment: "prod", Service: "billing", Key: "db" }, { description: "vaultops:action=rotate" }),
    );

    // Assert
    expect(incident.rotated).toEqual([{ path: "prod/billing/db", error: expect.any(String) }]);
    expect(await incidents.list()).toHaveLength(1);
  });

  it("takes no action when the alarm returns to OK, and refuses what is not an alarm event", async () => {
    const { incidents, cacheStore } = await setup();

    const ok = await incidents.handleAlarm(
      alarm(
        { Environment: "prod", Service: "billing" },
        { state: "OK", description: "vaultops:action=clear-cache,rotate" },
      ),
    );

    expect(ok.actions).toEqual([]);
    expect(cachedKeys(cacheStore.entries)).toHaveLength(3);
    await expect(incidents.handleAlarm({ source: "aws.events" })).rejects.toThrow(ValidationError);
  });
});
