import { loadSettings, parseRouting, routedBackends, routeOf } from "@vaultops/core";
import { describe, expect, it } from "vitest";

describe("CONFIG_BACKENDS", () => {
  const rules = parseRouting("prod/payments=aws, staging/*=aws, */legacy-*=vault, *=vault");

  it("routes by environment/service, first match wins, Vault without a match", () => {
    expect(routeOf(rules, "prod", "payments")).toBe("aws");
    expect(routeOf(rules, "prod", "payments-api")).toBe("vault");
    expect(routeOf(rules, "staging", "anything")).toBe("aws");
    expect(routeOf(rules, "staging", "legacy-billing")).toBe("aws");
    expect(routeOf(rules, "dev", "legacy-billing")).toBe("vault");
    expect(routeOf(parseRouting(""), "prod", "payments")).toBe("vault");
    // `*` stays within its segment.
    expect(routeOf(parseRouting("*/pay*=aws"), "prod", "payments")).toBe("aws");
    expect(routeOf(parseRouting("pro*/x=aws"), "prod", "xy")).toBe("vault");
  });

  it("lists the backends a routing needs (Vault always)", () => {
    expect(routedBackends(rules)).toEqual(["vault", "aws"]);
    expect(routedBackends(parseRouting("*=vault"))).toEqual(["vault"]);
  });

  it.each([
    ["prod/payments=gcp", /prod\/payments=gcp.*one of vault, aws/],
    ["prod=aws", /"prod=aws": the pattern is environment\/service/],
    ["prod/pay/ments=aws", /the pattern is environment\/service/],
    ["prod/payments", /write pattern=backend/],
    ["prod/payments=aws=vault", /write pattern=backend/],
  ])("refuses %s at cold start, naming the rule", (routing, message) => {
    expect(() => loadSettings({ VAULT_ADDR: "https://vault.example.com:8200", CONFIG_BACKENDS: routing })).toThrow(
      message,
    );
  });

  it("checks the Secrets Manager prefix and recovery window against AWS's own bounds", () => {
    const base = { VAULT_ADDR: "https://vault.example.com:8200" };
    expect(loadSettings(base)).toMatchObject({ AWS_SECRETS_PREFIX: "vaultops", AWS_SECRETS_RECOVERY_DAYS: 7 });
    expect(() => loadSettings({ ...base, AWS_SECRETS_RECOVERY_DAYS: "3" })).toThrow(/AWS_SECRETS_RECOVERY_DAYS/);
    expect(() => loadSettings({ ...base, AWS_SECRETS_PREFIX: "has space" })).toThrow(/AWS_SECRETS_PREFIX/);
  });
});
