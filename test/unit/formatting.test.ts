import {
  bearerToken,
  classifyHealth,
  expandScopes,
  formatDuration,
  hasScope,
  loadSettings,
  parseTokenList,
  pathAllowed,
  serviceAllowed,
  shortHash,
  toErrorResponse,
  toVaultError,
  VaultConnectionError,
  VaultSealedError,
  VersionConflictError,
} from "@vaultops/core";
import { describe, expect, it } from "vitest";
import { createApiToken } from "../../packages/cli/src/tokens";

describe("formatDuration", () => {
  it("formats like Go's time.Duration, as seed 000 shows", () => {
    expect(formatDuration(900_000)).toBe("15m0s");
    expect(formatDuration(45)).toBe("45ms");
    expect(formatDuration(3_723_000)).toBe("1h2m3s");
    expect(formatDuration(12_000)).toBe("12s");
  });
});

describe("classifyHealth", () => {
  const at = 1_700_000_000_000;
  it.each([
    [{ initialized: true, sealed: false, standby: false }, "healthy"],
    [{ initialized: true, sealed: true, standby: true }, "sealed"],
    [{ initialized: true, sealed: false, standby: true }, "standby"],
    [{ initialized: true, sealed: false, standby: true, performance_standby: true }, "performance_standby"],
    [{ initialized: false, sealed: true }, "uninitialized"],
  ])("maps %j to %s", (body, status) => {
    expect(classifyHealth(body, at, 3).status).toBe(status);
  });
});

describe("toVaultError", () => {
  const req = { method: "GET" as const, path: "/secret/data/x" };
  it("maps connection failures, seals and CAS conflicts to their types and statuses", () => {
    const refused = toVaultError({ code: "ECONNREFUSED", message: "connect ECONNREFUSED" }, req);
    expect(refused).toBeInstanceOf(VaultConnectionError);
    expect(toErrorResponse(refused).status).toBe(503);
    const sealed = toVaultError({ message: "Vault is sealed", response: { statusCode: 503 } }, req);
    expect(sealed).toBeInstanceOf(VaultSealedError);
    const cas = toVaultError(
      { message: "check-and-set parameter did not match the current version", response: { statusCode: 400 } },
      req,
    );
    expect(cas).toBeInstanceOf(VersionConflictError);
    expect(toErrorResponse(cas).status).toBe(409);
  });

  it("never keeps the raw error (which may hold the token header) as its cause", () => {
    const raw = {
      code: "ECONNRESET",
      message: "socket hang up",
      config: { headers: { "X-Vault-Token": "hvs.secret" } },
    };
    const error = toVaultError(raw, req);
    expect(JSON.stringify({ error, cause: (error as { cause?: unknown }).cause })).not.toContain("hvs.secret");
  });
});

describe("toErrorResponse", () => {
  it("hides unknown errors behind a plain 500", () => {
    const { status, body } = toErrorResponse(new Error("password=hunter2 leaked"), "req-1");
    expect(status).toBe(500);
    expect(JSON.stringify(body)).not.toContain("hunter2");
    expect(body).toEqual({ error: "Internal server error", code: "internal_error", request_id: "req-1" });
  });
});

describe("auth helpers", () => {
  it("parses bearer tokens", () => {
    expect(bearerToken("Bearer abc")).toBe("abc");
    expect(bearerToken("bearer abc ")).toBe("abc");
    expect(bearerToken("Basic abc")).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });

  it("expands scopes: admin is everything, secrets:read includes config:read, read is monitor + config:read", () => {
    expect(expandScopes(["admin"])).toEqual(["monitor", "config:read", "secrets:read", "config:write", "admin"]);
    expect(expandScopes(["secrets:read"])).toEqual(["config:read", "secrets:read"]);
    expect(expandScopes(["read"])).toEqual(["monitor", "config:read"]);
    expect(hasScope({ scopes: expandScopes(["admin"]) }, "config:write")).toBe(true);
    expect(hasScope({ scopes: expandScopes(["read"]) }, "secrets:read")).toBe(false);
    expect(hasScope({ scopes: expandScopes(["config:write"]) }, "config:read")).toBe(false);
  });

  it("limits paths with * within a segment and ** across them", () => {
    const limited = { paths: ["prod/payments/*", "staging/**"] };
    expect(pathAllowed(limited, "prod/payments/db")).toBe(true);
    expect(pathAllowed(limited, "prod/billing/db")).toBe(false);
    expect(pathAllowed(limited, "staging/api/x")).toBe(true);
    expect(pathAllowed({}, "anything/at/all")).toBe(true);
    expect(serviceAllowed(limited, "prod", "payments")).toBe(true);
    expect(serviceAllowed(limited, "prod", "billing")).toBe(false);
    expect(serviceAllowed(limited, "staging", "anything")).toBe(true);
  });

  it("refuses a malformed token list with the entry it is about", () => {
    const good = { name: "ci", sha256: "a".repeat(64), scopes: ["config:read"], paths: ["prod/*/db"] };
    expect(parseTokenList({ tokens: [good] }, "list")).toEqual([good]);
    expect(() => parseTokenList({ tokens: [{ ...good, scopes: ["root"] }] }, "list")).toThrow(/token 0 \(ci\): scopes/);
    expect(() => parseTokenList({ tokens: [{ ...good, paths: ["../etc"] }] }, "list")).toThrow(/paths/);
    expect(() => parseTokenList({ tokens: [{ ...good, expires_at: "soon" }] }, "list")).toThrow(/expires_at/);
  });

  it("takes scopes from the closed set only, and expiries as ISO times (not 0, not a number)", () => {
    const good = { name: "ci", sha256: "a".repeat(64), scopes: ["monitor"] };
    for (const scope of ["constructor", "toString", "__proto__", "hasOwnProperty"])
      expect(() => parseTokenList({ tokens: [{ ...good, scopes: [scope] }] }, "list"), scope).toThrow(/scopes/);
    for (const expiry of [0, "0", 1700000000000, "", "2027", "next week"])
      expect(() => parseTokenList({ tokens: [{ ...good, expires_at: expiry }] }, "list"), String(expiry)).toThrow(
        /expires_at/,
      );
    expect(parseTokenList({ tokens: [{ ...good, expires_at: "2027-01-31T00:00:00Z" }] }, "list")[0]?.expires_at).toBe(
      "2027-01-31T00:00:00Z",
    );
    // Whatever a token's context says, an unknown scope grants nothing.
    expect(expandScopes(["constructor", "monitor", "__proto__"])).toEqual(["monitor"]);
    expect(() => createApiToken({ name: "ci", scopes: "constructor" })).toThrow(/scopes/);
    expect(() => createApiToken({ name: "ci", scopes: "monitor", ttl: "0d" })).toThrow(/ttl/);
  });

  it("hashes secrets to 8 bytes of SHA-256 in hex", () => {
    expect(shortHash("abc")).toBe("ba7816bf8f01cfea");
  });
});

describe("loadSettings", () => {
  it("names every missing or bad variable", () => {
    expect(() => loadSettings({ VAULT_ADDR: "not a url", CACHE_TTL_SECONDS: "-1" })).toThrow(
      /VAULT_ADDR.*CACHE_TTL_SECONDS/s,
    );
  });

  it("refuses plain-environment Vault credentials in production", () => {
    expect(() => loadSettings({ VAULT_ADDR: "https://vault:8200", STAGE: "production", VAULT_TOKEN: "x" })).toThrow(
      /VAULT_CREDENTIALS_SECRET is required in production/,
    );
  });

  it("has the seed's defaults", () => {
    const settings = loadSettings({ VAULT_ADDR: "http://127.0.0.1:8200" });
    expect(settings.CACHE_TTL_SECONDS).toBe(900);
    expect(settings.VAULT_MOUNT_POINT).toBe("secret");
  });
});
