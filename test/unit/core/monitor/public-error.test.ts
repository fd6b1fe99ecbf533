import { publicError } from "@vaultops/core";
import { describe, expect, it } from "vitest";

describe("publicError", () => {
  it.each([
    ["Vault is sealed: GET /v1/secret/data/x", "Vault is sealed"],
    // The request path of a failed health call names `sealedcode`: not a seal.
    [
      "Vault is not available: GET /sys/health?standbyok=true&sealedcode=200&uninitcode=200: connect ECONNREFUSED 127.0.0.1:1",
      "Vault is not reachable",
    ],
    ["timeout of 1000ms exceeded", "Vault did not answer in time"],
    ["permission denied", "Vault refused the plane's credentials"],
    ["something else at /secret/data/prod/db", "Vault request failed"],
  ])("%s -> %s, without the path or address", (message, shown) => {
    expect(publicError(message)).toBe(shown);
  });
});
