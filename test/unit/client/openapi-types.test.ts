import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { generateTypes, TYPES } from "../../../packages/client/scripts/generate-types";

describe("@vaultops/client's openapi-types.ts", () => {
  it("is what openapi-typescript makes of docs/openapi.json (else: npm run client:types)", async () => {
    const generated = await generateTypes();
    expect(generated.length).toBeGreaterThan(1000);
    expect(
      readFileSync(TYPES, "utf8") === generated,
      "packages/client/src/openapi-types.ts is stale: run `npm run client:types`",
    ).toBe(true);
  });
});
