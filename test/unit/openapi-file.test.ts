import { readFileSync } from "node:fs";
import { openApiDocument } from "@vaultops/api";
import { describe, expect, it } from "vitest";

describe("docs/openapi.json", () => {
  it("is the document the route table and schemas generate (run `npm run build` after changing them)", () => {
    expect(JSON.parse(readFileSync("docs/openapi.json", "utf8"))).toEqual(openApiDocument());
  });
});
