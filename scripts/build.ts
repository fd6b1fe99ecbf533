/**
 * `npm run build`: every function of the catalogue built by SST's own Node builder as `sst deploy`
 * builds it (packages/dev/src/sst-build.ts): dist/functions/<name> holds what the deploy zips and
 * dist/functions/manifest.json the handler string SST gives Lambda. Prints each function's sizes and
 * writes docs/openapi.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { openApiDocument } from "@vaultops/api";
import { buildAll, sstVersion } from "../packages/dev/src/sst-build";

async function main() {
  const started = Date.now();
  const results = await buildAll((line) => process.stderr.write(`${line}\n`));
  const width = Math.max(...results.map((r) => r.name.length));
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`.padStart(10);
  process.stdout.write(
    `${"function".padEnd(width)}  ${"handler".padEnd(14)}  ${"at init".padStart(10)}  ${"zipped".padStart(10)}\n`,
  );
  for (const r of results)
    process.stdout.write(`${r.name.padEnd(width)}  ${r.handler.padEnd(14)}  ${kb(r.initBytes)}  ${kb(r.totalBytes)}\n`);
  mkdirSync("docs", { recursive: true });
  writeFileSync("docs/openapi.json", `${JSON.stringify(openApiDocument(), null, 2)}\n`);
  process.stdout.write(
    `docs/openapi.json written; ${results.length} functions built by SST ${sstVersion()}'s Node builder in ${((Date.now() - started) / 1000).toFixed(1)} s (dist/functions/manifest.json)\n`,
  );
}

main().catch((error) => {
  process.stderr.write(`build failed: ${(error as Error).message}\n`);
  process.exit(1);
});
