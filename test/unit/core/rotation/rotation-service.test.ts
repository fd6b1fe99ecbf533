import {
  DynamoRotationStore,
  NotFoundError,
  RotationService,
  VaultConnectionError,
  VaultSecretNotFoundError,
} from "@vaultops/core";
import { describe, expect, it } from "vitest";
import { configServices, memoryStateTable } from "../../support/services";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const ref = { environment: "prod", service_name: "billing", key: "db" };
const path = "prod/billing/db";
const actor = { name: "tester" };
const policyInput = {
  interval_days: 1,
  grace_period_hours: 2,
  auto_rotate: true,
  generator: { name: "hex64" as const },
};

/** Rotation on the configuration service (in-memory KV v2 and cache) and its real store on an in-memory table. */
async function setup() {
  const services = configServices();
  const store = new DynamoRotationStore(memoryStateTable().state);
  const rotation = new RotationService({
    config: services.config,
    store,
    logger: services.logger,
    clock: services.clock,
  });
  await services.config.create({ ...ref, value: "initial", is_encrypted: false }, actor);
  return { ...services, store, rotation };
}

describe("RotationService policies", () => {
  it("saves, reads, updates and deletes a policy; the next due time follows the interval", async () => {
    // Arrange
    const { rotation, clock } = await setup();
    const createdAt = new Date(clock.now()).toISOString();

    // Act
    const saved = await rotation.putPolicy(ref, policyInput, actor);
    clock.advance(HOUR);
    const updated = await rotation.putPolicy(ref, { ...policyInput, interval_days: 7 }, actor);
    const read = await rotation.getPolicy(ref);

    // Assert: the update keeps the creation time, moves the due time to 7 days after it
    expect(saved).toMatchObject({ path, interval_days: 1, created_at: createdAt });
    expect(saved.status).toMatchObject({ due: false, overdue: false, last_rotated_at: null });
    expect(saved.status.next_due_at).toBe(new Date(Date.parse(createdAt) + DAY).toISOString());
    expect(updated).toMatchObject({ interval_days: 7, created_at: createdAt });
    expect(updated.updated_at).toBe(new Date(clock.now()).toISOString());
    expect(read.status.next_due_at).toBe(new Date(Date.parse(createdAt) + 7 * DAY).toISOString());
    expect((await rotation.statusAll()).total).toBe(1);

    // Act: delete it
    await rotation.deletePolicy(ref);

    // Assert: gone, and a second delete is a 404
    await expect(rotation.getPolicy(ref)).rejects.toThrow(NotFoundError);
    await expect(rotation.deletePolicy(ref)).rejects.toThrow(NotFoundError);
    expect((await rotation.statusAll()).total).toBe(0);
  });

  it("refuses a policy for a configuration that does not exist", async () => {
    const { rotation, store } = await setup();

    await expect(rotation.putPolicy({ ...ref, key: "missing" }, policyInput, actor)).rejects.toThrow(
      VaultSecretNotFoundError,
    );
    expect(await store.all()).toEqual([]);
  });
});

describe("RotationService.runDue", () => {
  it("rotates nothing before the interval ends, then rotates a due secret and records it", async () => {
    // Arrange
    const { rotation, kv, clock } = await setup();
    await rotation.putPolicy(ref, policyInput, actor);

    // Act: not yet due
    const early = await rotation.runDue();

    // Assert
    expect(early).toMatchObject({ checked: 1, rotated: 0, failed: 0 });
    expect((await kv.read(path))?.version).toBe(1);

    // Act: a day later
    clock.advance(DAY + 1);
    const summary = await rotation.runDue();

    // Assert: a new sensitive version with a generated value, the policy's state and the history
    expect(summary).toMatchObject({ checked: 1, rotated: 1, failed: 0, conflicts: 0 });
    const current = await kv.read(path);
    expect(current?.version).toBe(2);
    expect(current?.data).toMatchObject({ is_encrypted: true });
    expect(current?.data.value).toMatch(/^[0-9a-f]{64}$/);
    const { status } = await rotation.getPolicy(ref);
    expect(status).toMatchObject({
      last_version: 2,
      previous_version: 1,
      last_outcome: "success",
      consecutive_failures: 0,
      due: false,
      grace_until: new Date(clock.now() + 2 * HOUR).toISOString(),
    });
    const history = await rotation.history(ref);
    expect(history).toEqual([
      expect.objectContaining({ outcome: "success", trigger: "schedule", version: 2, previous_version: 1 }),
    ]);
  });

  it("retires the previous version once the grace period is over, and records that", async () => {
    // Arrange: rotated once
    const { rotation, kv, clock } = await setup();
    await rotation.putPolicy(ref, policyInput, actor);
    clock.advance(DAY + 1);
    await rotation.runDue();

    // Act: a run inside the grace period, then one after it
    clock.advance(HOUR);
    const during = await rotation.runDue();
    clock.advance(2 * HOUR);
    const after = await rotation.runDue();

    // Assert: version 1 readable during the grace period only
    expect(during.retired).toBe(0);
    expect(after.retired).toBe(1);
    expect(await kv.read(path, 1)).toBeUndefined();
    expect((await kv.read(path))?.version).toBe(2);
    expect((await rotation.history(ref)).map((h) => h.outcome)).toEqual(["retired", "success"]);
  });

  it("records a failed rotation: outcome, error, failure count, history, and the secret unchanged", async () => {
    // Arrange: Vault refuses every write
    const { rotation, kv, clock } = await setup();
    await rotation.putPolicy(ref, policyInput, actor);
    clock.advance(DAY + 1);
    kv.beforeWrite = () => {
      throw new VaultConnectionError("Vault is not available", { details: "connection refused" });
    };

    // Act
    const summary = await rotation.runDue();

    // Assert
    expect(summary).toMatchObject({ rotated: 0, failed: 1 });
    expect(await kv.read(path)).toMatchObject({ version: 1, data: { value: "initial" } });
    const { status } = await rotation.getPolicy(ref);
    expect(status).toMatchObject({ last_outcome: "failed", consecutive_failures: 1, due: true, overdue: true });
    expect(status.last_error).toContain("Vault is not available");
    expect(await rotation.history(ref)).toEqual([
      expect.objectContaining({
        outcome: "failed",
        trigger: "schedule",
        error: expect.stringContaining("not available"),
      }),
    ]);

    // Act: the next run, with Vault back
    kv.beforeWrite = undefined;
    clock.advance(HOUR);
    const retried = await rotation.runDue();

    // Assert: rotated, and the failure count reset
    expect(retried.rotated).toBe(1);
    expect((await rotation.getPolicy(ref)).status).toMatchObject({ last_outcome: "success", consecutive_failures: 0 });
  });

  it("counts a concurrent writer as a conflict, never overwriting its version", async () => {
    // Arrange: another client writes just before the rotation's check-and-set
    const { rotation, kv, clock } = await setup();
    await rotation.putPolicy(ref, policyInput, actor);
    clock.advance(DAY + 1);
    kv.beforeWrite = (p) => {
      kv.beforeWrite = undefined;
      kv.external(p, { value: "theirs", is_encrypted: false });
    };

    // Act
    const summary = await rotation.runDue();

    // Assert
    expect(summary).toMatchObject({ rotated: 0, conflicts: 1 });
    expect(await kv.read(path)).toMatchObject({ version: 2, data: { value: "theirs" } });
    expect((await rotation.getPolicy(ref)).status).toMatchObject({ last_outcome: "conflict", consecutive_failures: 1 });
    expect((await rotation.history(ref))[0]).toMatchObject({ outcome: "conflict" });
  });
});
