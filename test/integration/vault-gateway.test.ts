import {
  appRoleAuthenticator,
  createNodeVaultTransport,
  staticCredentials,
  TokenRenewalError,
  tokenAuthenticator,
  VaultGateway,
  VaultPermissionError,
  VaultSealedError,
  VaultSecretNotFoundError,
  VersionConflictError,
} from "@vaultops/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startVaultServer, type VaultServer } from "../../packages/dev/src/vault-server";
import { vaultApi } from "../support/harness";

/** The real Vault-API server (OpenBao dev mode) through vaultops' gateway; this suite seals its own server. */
let vault: VaultServer;
const gatewayWith = (token: string) =>
  new VaultGateway({
    transport: createNodeVaultTransport({ address: vault.addr, timeoutMs: 2_000 }),
    authenticator: tokenAuthenticator(staticCredentials({ token })),
    retry: { deadlineMs: 1_000 },
  });

beforeAll(async () => {
  vault = await startVaultServer();
});
afterAll(async () => {
  await vault?.stop();
});

describe("Vault-API server through the gateway", () => {
  it("writes, reads and versions a KV v2 secret at secret/", async () => {
    const gateway = gatewayWith(vault.rootToken);
    const path = "/secret/data/kv-test/app/db";
    const v1 = await gateway.request<{ data: { version: number } }>("kv_write", {
      method: "POST",
      path,
      json: { data: { password: "one" } },
    });
    const v2 = await gateway.request<{ data: { version: number } }>("kv_write", {
      method: "POST",
      path,
      json: { data: { password: "two" }, options: { cas: 1 } },
    });
    expect([v1.data.version, v2.data.version]).toEqual([1, 2]);
    const latest = await gateway.request<{ data: { data: { password: string }; metadata: { version: number } } }>(
      "kv_read",
      {
        method: "GET",
        path,
      },
    );
    expect(latest.data.data.password).toBe("two");
    expect(latest.data.metadata.version).toBe(2);
    const first = await gateway.request<{ data: { data: { password: string } } }>("kv_read", {
      method: "GET",
      path: `${path}?version=1`,
    });
    expect(first.data.data.password).toBe("one");
    const metadata = await gateway.request<{ data: { current_version: number; versions: Record<string, unknown> } }>(
      "kv_metadata",
      { method: "GET", path: "/secret/metadata/kv-test/app/db" },
    );
    expect(metadata.data.current_version).toBe(2);
    expect(Object.keys(metadata.data.versions).sort()).toEqual(["1", "2"]);
  });

  it("refuses a stale check-and-set write with VersionConflictError and keeps the newer value", async () => {
    const gateway = gatewayWith(vault.rootToken);
    const path = "/secret/data/kv-test/app/cas";
    await gateway.request("kv_write", { method: "POST", path, json: { data: { v: "a" } } });
    await gateway.request("kv_write", { method: "POST", path, json: { data: { v: "b" }, options: { cas: 1 } } });
    await expect(
      gateway.request("kv_write", { method: "POST", path, json: { data: { v: "stale" }, options: { cas: 1 } } }),
    ).rejects.toBeInstanceOf(VersionConflictError);
    const read = await gateway.request<{ data: { data: { v: string } } }>("kv_read", { method: "GET", path });
    expect(read.data.data.v).toBe("b");
  });

  it("maps a missing secret to VaultSecretNotFoundError", async () => {
    await expect(
      gatewayWith(vault.rootToken).request("kv_read", { method: "GET", path: "/secret/data/kv-test/nope" }),
    ).rejects.toBeInstanceOf(VaultSecretNotFoundError);
  });

  it("looks up and renews a renewable token; refuses to renew the root token", async () => {
    const created = await vaultApi(vault.addr, vault.rootToken, "POST", "auth/token/create", {
      ttl: "600s",
      renewable: true,
      policies: ["default"],
    });
    const token = (created.json.auth as { client_token: string }).client_token;
    const gateway = gatewayWith(token);
    const info = await gateway.lookupSelf();
    expect(info.renewable).toBe(true);
    expect(info.ttlSeconds).toBeGreaterThan(500);
    expect(info.ttlSeconds).toBeLessThanOrEqual(600);
    const renewed = await gateway.renewSelf(1200);
    expect(renewed.renewable).toBe(true);
    expect(renewed.ttlSeconds).toBeGreaterThan(600);

    const root = gatewayWith(vault.rootToken);
    await expect(root.renewSelf()).rejects.toBeInstanceOf(TokenRenewalError);
  });

  it("logs in with AppRole and uses the token it got", async () => {
    await vaultApi(vault.addr, vault.rootToken, "POST", "sys/auth/approle", { type: "approle" });
    await vaultApi(vault.addr, vault.rootToken, "POST", "sys/policies/acl/reader", {
      policy: 'path "secret/data/kv-test/*" { capabilities = ["read"] }',
    });
    await vaultApi(vault.addr, vault.rootToken, "POST", "auth/approle/role/plane", {
      token_policies: ["reader"],
      token_ttl: "300s",
    });
    const roleId = (
      (await vaultApi(vault.addr, vault.rootToken, "GET", "auth/approle/role/plane/role-id")).json.data as {
        role_id: string;
      }
    ).role_id;
    const secretId = (
      (await vaultApi(vault.addr, vault.rootToken, "POST", "auth/approle/role/plane/secret-id")).json.data as {
        secret_id: string;
      }
    ).secret_id;
    const gateway = new VaultGateway({
      transport: createNodeVaultTransport({ address: vault.addr, timeoutMs: 2_000 }),
      authenticator: appRoleAuthenticator(staticCredentials({ role_id: roleId, secret_id: secretId })),
      retry: { deadlineMs: 1_000 },
    });
    const info = await gateway.lookupSelf();
    expect(info.policies).toContain("reader");
    expect(gateway.currentSession?.method).toBe("approle");
    // The policy allows reads, not writes: Vault's 403 surfaces as VaultPermissionError after one re-login.
    await expect(
      gateway.request("kv_write", { method: "POST", path: "/secret/data/kv-test/denied", json: { data: { a: "b" } } }),
    ).rejects.toBeInstanceOf(VaultPermissionError);
  });

  it("reports sys/health, then sealed after a seal, then healthy after an unseal", async () => {
    const gateway = gatewayWith(vault.rootToken);
    const healthy = await gateway.health();
    expect(healthy).toMatchObject({ status: "healthy", initialized: true, sealed: false });
    expect(healthy.version).toMatch(/^\d+\.\d+/);

    await gateway.request("seal", { method: "PUT", path: "/sys/seal" });
    const sealed = await gateway.health();
    expect(sealed.status).toBe("sealed");
    await expect(
      gateway.request("kv_read", { method: "GET", path: "/secret/data/kv-test/app/db" }),
    ).rejects.toBeInstanceOf(VaultSealedError);

    const unseal = await gateway.requestAnonymous<{ sealed: boolean }>("unseal", {
      method: "PUT",
      path: "/sys/unseal",
      json: { key: vault.unsealKey },
    });
    expect(unseal.sealed).toBe(false);
    expect((await gateway.health()).status).toBe("healthy");
  });

  it("reports an unreachable Vault as unhealthy without throwing", async () => {
    const gateway = new VaultGateway({
      transport: createNodeVaultTransport({ address: "http://127.0.0.1:1", timeoutMs: 500 }),
      authenticator: tokenAuthenticator(staticCredentials({ token: "x" })),
      retry: { deadlineMs: 300 },
    });
    const health = await gateway.health();
    expect(health.status).toBe("unhealthy");
    expect(health.error).toMatch(/not available/);
  });
});
