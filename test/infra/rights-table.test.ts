import { functionCatalogue } from "@vaultops/build-definition";
import { describe, expect, it } from "vitest";
import { rightsKindOf, rightsKinds, rightsOf } from "../../infra/rights";

describe("infra/rights.ts", () => {
  it("gives every function of the catalogue exactly one kind, and names no other function", () => {
    const listed = Object.values(rightsKinds).flatMap((k) => k.functions);
    expect([...listed].sort()).toEqual(functionCatalogue.map((f) => f.name).sort());
    expect(new Set(listed).size).toBe(listed.length);
    expect(() => rightsKindOf("no-such-function")).toThrow(/no kind/);
  });

  it("grants no wildcard action and no DynamoDB right without its key classes", () => {
    for (const [kind, { rights }] of Object.entries(rightsKinds))
      for (const grant of rights) {
        for (const action of grant.actions) expect(action, kind).toMatch(/^[a-z0-9]+:[A-Z][A-Za-z]+$/);
        if (grant.resource === "table") expect(grant.leadingKeys?.length, kind).toBeGreaterThan(0);
      }
  });

  it("leaves Secrets Manager configurations out of every kind on a stage that routes no scope there", () => {
    for (const kind of Object.keys(rightsKinds) as Array<keyof typeof rightsKinds>)
      expect(rightsOf(kind, { awsBackendRouted: false }).some((g) => g.resource === "secret:config")).toBe(false);
    expect(rightsOf("config-write", { awsBackendRouted: true }).some((g) => g.resource === "secret:config")).toBe(true);
  });
});
