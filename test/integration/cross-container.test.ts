import { randomBytes } from "node:crypto";
import type { VaultopsContext } from "@vaultops/core";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { createHandler as create } from "../../functions/config/create";
import { createHandler as get } from "../../functions/config/get";
import { createHandler as update } from "../../functions/config/update";
import { createHandler as rotate } from "../../functions/rotation/rotate";
import { contextFor, createEvent, httpEvent, invoke, registerSecret, testEnv, vaultApi } from "../support/harness";
import { manualClock } from "../unit/support/memory";

/**
 * The coherence promises across containers, each container a context of its own on one table (as
 * each Lambda container is), on a clock the test moves: a change of sensitivity, a rotation, a 409, a
 * 404, a no-cache read and a plain write made in one container reach another container's in-process
 * copy within CACHE_GENERATION_CHECK_MS, though its copy would live a minute
 * (CACHE_MEMORY_TTL_SECONDS=60), whichever replica of the sync item each reads. The same bounds under
 * the Lambda emulator: test/artifacts/coherence.
 */
const CHECK_MS = 1_000;
const services = () => inject("services");
const clock = manualClock(Date.now());
let writer: VaultopsContext;
let reader: VaultopsContext;
const ns = { environment: "xc", service_name: `svc-${randomBytes(3).toString("hex")}` };
const readToken = { name: "reader", scopes: "config:read" };
const admin = { name: "ops", scopes: "admin monitor config:read secrets:read config:write" };

const at = (key: string) => ({ path: `/api/v1/config/${key}`, query: ns, pathParams: { key } });
const read = (key: string, context: VaultopsContext, headers: Record<string, string> = {}) =>
  invoke(get, context, httpEvent({ ...at(key), headers, principal: context === reader ? readToken : admin }));
const put = (key: string, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  invoke(
    update,
    writer,
    httpEvent({ ...at(key), method: "PUT", body: JSON.stringify(body), headers, principal: admin }),
  );
const vaultPath = (key: string) => `${ns.environment}/${ns.service_name}/${key}`;
/** Another Vault client (hvac, the CLI) writing or destroying beside the plane. */
const foreign = {
  write: (key: string, value: string, version: number) =>
    vaultApi(services().vaultAddr, services().vaultToken, "POST", `secret/data/${vaultPath(key)}`, {
      data: { value, is_encrypted: false },
      options: { cas: version - 1 },
    }),
  destroy: (key: string) =>
    vaultApi(services().vaultAddr, services().vaultToken, "DELETE", `secret/metadata/${vaultPath(key)}`),
};

/** A plain key the reader holds in memory at version 1. */
async function heldByReader(key: string) {
  expect((await invoke(create, writer, createEvent({ key, value: `${key}-v1`, ...ns }, admin))).status).toBe(201);
  expect((await read(key, reader)).body).toMatchObject({ value: `${key}-v1`, version: 1 });
}

beforeAll(async () => {
  const env = await testEnv({
    CACHE_GENERATION_CHECK_MS: String(CHECK_MS),
    CACHE_MEMORY_TTL_SECONDS: "60",
    VAULT_DEADLINE_MS: "8000",
    // Sized for 6,000 containers: four replicas of the sync item, each container reading one at random.
    CAPACITY_CONTAINERS: "6000",
  });
  writer = contextFor(env, { clock });
  reader = contextFor(env, { clock });
  // Each container knows the change list from its first check on.
  await read("warm-up", reader).catch(() => {});
  await read("warm-up", writer).catch(() => {});
});

describe("a change made or seen in one container reaches another's memory within CACHE_GENERATION_CHECK_MS", () => {
  it("a value made sensitive: withheld from config:read", async () => {
    await heldByReader("flip");
    expect((await put("flip", { value: "now-secret", is_encrypted: true })).status).toBe(200);
    registerSecret("now-secret");
    clock.advance(CHECK_MS);
    const after = await read("flip", reader);
    expect(after.status).toBe(403);
    expect(JSON.stringify(after.body)).not.toContain("flip-v1");
  });

  it("a rotation of a plain key: the old value is no longer served", async () => {
    await heldByReader("rot");
    const rotated = await invoke(
      rotate,
      writer,
      httpEvent({ ...at("rot"), path: "/api/v1/config/rot/rotate", method: "POST", principal: admin }),
    );
    expect(rotated.status).toBe(200);
    clock.advance(CHECK_MS);
    expect((await read("rot", reader)).status).toBe(403);
  });

  it("a 409: the version another client wrote", async () => {
    await heldByReader("conflict");
    await foreign.write("conflict", "conflict-v2", 2);
    expect((await put("conflict", { value: "mine" }, { "if-match": '"1"' })).status).toBe(409);
    clock.advance(CHECK_MS);
    expect((await read("conflict", reader)).body).toMatchObject({ value: "conflict-v2", version: 2 });
  });

  it("a 404: a key another client destroyed", async () => {
    await heldByReader("gone");
    await foreign.destroy("gone");
    expect((await read("gone", writer, { "cache-control": "no-cache" })).status).toBe(404);
    clock.advance(CHECK_MS);
    expect((await read("gone", reader)).status).toBe(404);
  });

  it("a no-cache read that found another client's newer version", async () => {
    await heldByReader("fresh");
    await foreign.write("fresh", "fresh-v2", 2);
    expect((await read("fresh", writer, { "cache-control": "no-cache" })).body).toMatchObject({ version: 2 });
    clock.advance(CHECK_MS);
    expect((await read("fresh", reader)).body).toMatchObject({ value: "fresh-v2", version: 2 });
  });

  it("a plain write through the plane", async () => {
    await heldByReader("plain");
    expect((await put("plain", { value: "plain-v2" })).status).toBe(200);
    expect((await read("plain", reader)).body.version).toBe(1); // allowed: its check is not due yet
    clock.advance(CHECK_MS);
    expect((await read("plain", reader)).body).toMatchObject({ value: "plain-v2", version: 2 });
  });
});
