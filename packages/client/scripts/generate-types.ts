/**
 * packages/client/src/openapi-types.ts from docs/openapi.json: openapi-typescript's output, formatted by
 * the repository's biome so the checked-in file passes `npm run lint`. `npm run client:types` writes it;
 * test/unit/client/openapi-types.test.ts regenerates it in memory and fails when the two differ.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const SPEC = path.join(root, "docs/openapi.json");
export const TYPES = path.join(root, "packages/client/src/openapi-types.ts");

const HEADER = `/**
 * Generated from docs/openapi.json by openapi-typescript (npm run client:types). Do not edit by hand:
 * test/unit/client/openapi-types.test.ts fails when this file and the document differ.
 */

`;

export async function generateTypes(spec = readFileSync(SPEC, "utf8")): Promise<string> {
  const ast = await openapiTS(JSON.parse(spec), { alphabetize: false, exportType: false });
  const biome = path.join(root, "node_modules/.bin/biome");
  return execFileSync(biome, ["format", `--stdin-file-path=${path.relative(root, TYPES)}`], {
    cwd: root,
    input: HEADER + astToString(ast),
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(TYPES, await generateTypes());
  console.log(`wrote ${path.relative(root, TYPES)}`);
}
