import {
  staticCredentials,
  tokenAuthenticator,
  VaultConnectionError,
  VaultGateway,
  VaultPermissionError,
  type VaultRequest,
  VaultSealedError,
} from "@vaultops/core";
import { describe, expect, it } from "vitest";

/** Edge cases of the gateway's retry and re-auth logic, with a scripted transport (the real server is in integration/). */
type Step = (request: VaultRequest) => unknown;
function scripted(steps: Step[]) {
  const calls: VaultRequest[] = [];
  const transport = async (request: VaultRequest) => {
    calls.push(request);
    const step = steps.shift();
    if (!step) throw new Error(`unexpected call ${request.method} ${request.path}`);
    return step(request);
  };
  return { transport, calls };
}
const lookup = (ttl: number) => () => ({ data: { ttl, renewable: true } });
const down = () => {
  throw new VaultConnectionError("Vault is not available");
};
const denied = () => {
  throw new VaultPermissionError("Permission denied by Vault");
};

const gatewayFor = (
  transport: (r: VaultRequest) => Promise<unknown>,
  extra: Partial<ConstructorParameters<typeof VaultGateway>[0]> = {},
) =>
  new VaultGateway({
    transport,
    authenticator: tokenAuthenticator(staticCredentials({ token: "t1" })),
    retry: { baseDelayMs: 1, maxDelayMs: 5, deadlineMs: 200 },
    random: () => 0.5,
    ...extra,
  });

describe("VaultGateway", () => {
  it("retries connection failures with backoff and succeeds inside the deadline", async () => {
    const { transport, calls } = scripted([lookup(600), down, down, lookup(590)]);
    const gateway = gatewayFor(transport);
    const info = await gateway.lookupSelf();
    expect(info.ttlSeconds).toBe(590);
    expect(calls).toHaveLength(4);
  });

  it("gives up with VaultConnectionError when the deadline passes", async () => {
    const { transport, calls } = scripted(Array.from({ length: 1000 }, () => down));
    const gateway = gatewayFor(transport, { retry: { baseDelayMs: 10, maxDelayMs: 20, deadlineMs: 100 } });
    const started = Date.now();
    await expect(gateway.lookupSelf()).rejects.toBeInstanceOf(VaultConnectionError);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(calls.length).toBeGreaterThan(1);
    expect(calls.length).toBeLessThan(50);
  });

  it("does not retry a sealed Vault", async () => {
    const sealed = () => {
      throw new VaultSealedError("Vault is sealed");
    };
    const { transport, calls } = scripted([lookup(600), sealed]);
    await expect(gatewayFor(transport).lookupSelf()).rejects.toBeInstanceOf(VaultSealedError);
    expect(calls).toHaveLength(2);
  });

  it("keeps a still-valid token when the forced re-login after a 403 cannot reach Vault", async () => {
    // login (lookup-self), call -> 403, forced login -> down (kept token), retried call -> ok
    const { transport, calls } = scripted([lookup(600), denied, ...Array.from({ length: 5 }, () => down), lookup(580)]);
    const gateway = gatewayFor(transport, { retry: { baseDelayMs: 1, maxDelayMs: 1, deadlineMs: 30 } });
    const session = await gateway
      .lookupSelf()
      .then(() => gateway.currentSession)
      .catch(() => gateway.currentSession);
    expect(session?.token).toBe("t1");
    expect(calls.filter((c) => c.token === "t1").length).toBeGreaterThanOrEqual(2);
  });

  it("refuses a second forced re-login within the interval (no login storm on a real denial)", async () => {
    const { transport, calls } = scripted([lookup(600), denied, lookup(600), denied, denied]);
    const gateway = gatewayFor(transport, { minReauthIntervalMs: 60_000 });
    await expect(gateway.lookupSelf()).rejects.toBeInstanceOf(VaultPermissionError);
    await expect(gateway.lookupSelf()).rejects.toBeInstanceOf(VaultPermissionError);
    expect(calls.filter((c) => c.path === "/auth/token/lookup-self")).toHaveLength(5);
  });

  it("bounds the login by its deadline", async () => {
    const hang = () => new Promise(() => {});
    const { transport } = scripted([hang]);
    const gateway = gatewayFor(transport, { loginDeadlineMs: 50 });
    await expect(gateway.lookupSelf()).rejects.toMatchObject({ details: expect.stringMatching(/exceeded 50 ms/) });
  });
});
