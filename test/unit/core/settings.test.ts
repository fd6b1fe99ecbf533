import { loadSettings } from "@vaultops/core";
import { describe, expect, it } from "vitest";

const base = { VAULT_ADDR: "https://vault.example.com:8200" };

describe("loadSettings", () => {
  it("has the documented defaults", () => {
    const settings = loadSettings(base);
    expect(settings).toMatchObject({
      CACHE_TTL_SECONDS: 900,
      CACHE_MEMORY_TTL_SECONDS: 5,
      CACHE_GENERATION_CHECK_MS: 1_000,
      VAULT_DEADLINE_MS: 8_000,
      VAULT_MOUNT_POINT: "secret",
      PLANNED_CREATORS: "",
    });
  });

  it("names every bad variable", () => {
    expect(() => loadSettings({ ...base, CACHE_TTL_SECONDS: "-1", VAULT_AUTH_METHOD: "ldap" })).toThrow(
      /CACHE_TTL_SECONDS.*VAULT_AUTH_METHOD|VAULT_AUTH_METHOD.*CACHE_TTL_SECONDS/s,
    );
  });

  it("refuses plain credentials and token lists from the environment in production", () => {
    const production = { ...base, STAGE: "production", VAULT_CREDENTIALS_SECRET: "arn:creds" };
    expect(() => loadSettings({ ...production, API_TOKEN: "t" })).toThrow(/refused in production/);
    expect(() => loadSettings({ ...production, API_TOKENS_JSON: "{}" })).toThrow(/refused in production/);
    expect(() => loadSettings({ ...base, STAGE: "production" })).toThrow(/VAULT_CREDENTIALS_SECRET is required/);
  });

  it("checks API_TOKENS_JSON at cold start and says which entry is wrong", () => {
    const list = { tokens: [{ name: "ci", sha256: "nope", scopes: ["config:read"] }] };
    expect(() => loadSettings({ ...base, API_TOKENS_JSON: JSON.stringify(list) })).toThrow(/token 0 \(ci\): sha256/);
  });
});
