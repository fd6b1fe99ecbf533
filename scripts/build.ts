/**
 * `npm run build`: bundles every handler of the route and schedule tables (and the authorizer) with
 * esbuild as Lambda runs it: Node 22 (the declared nodejs22.x runtime), ESM, minified, with the
 * AWS SDK v3 bundled (loading it from node_modules was slower at cold start; see DESIGN.md).
 * Prints each bundle's size; `--json` writes dist/functions/sizes.json too.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { build } from "esbuild";
import { openApiDocument } from "../infra/openapi";
import { authorizerHandler, fallbackHandler, incidentHandler, routeList } from "../infra/routes";
import { credentialRotationHandler, scheduleList } from "../infra/schedules";

export const outRoot = path.resolve("dist/functions");

export function entries(): Array<{ name: string; file: string }> {
  const specs = [
    ...routeList.map((r) => r.handler),
    ...scheduleList.map((s) => s.handler),
    authorizerHandler,
    credentialRotationHandler,
    incidentHandler,
    fallbackHandler,
  ];
  return [...new Set(specs)].map((spec) => {
    const file = spec.slice(0, spec.lastIndexOf("."));
    return { name: file.replace(/^functions\//, "").replace(/\//g, "-"), file: `${file}.ts` };
  });
}

export interface BundleResult {
  name: string;
  outfile: string;
  /** What a cold start loads: the entry and the chunks it imports statically. */
  initBytes: number;
  /** Everything deployed for the function, lazily loaded chunks included. */
  totalBytes: number;
}

/**
 * One function's bundle, code-split: clients a route rarely needs (node-vault, CloudWatch, Secrets
 * Manager, the SigV4 signer) sit in chunks that load on first use, so a cached read never loads them.
 */
export async function bundle(entry: { name: string; file: string }, outDir = outRoot): Promise<BundleResult> {
  const dir = path.join(outDir, entry.name);
  rmSync(dir, { recursive: true, force: true });
  const result = await build({
    entryPoints: { index: entry.file },
    outdir: dir,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    splitting: true,
    platform: "node",
    target: "node22",
    format: "esm",
    minify: true,
    sourcemap: false,
    legalComments: "none",
    metafile: true,
    // node-vault and axios are CommonJS and require() Node built-ins; give the ESM bundle a require.
    banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
    logLevel: "warning",
  });
  const outputs = result.metafile.outputs;
  const outfile = path.join(dir, "index.mjs");
  const key = Object.keys(outputs).find((k) => path.resolve(k) === outfile) as string;
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const imported of outputs[file]?.imports ?? [])
      if (imported.kind === "import-statement" && outputs[imported.path]) visit(imported.path);
  };
  visit(key);
  const size = (files: Iterable<string>) => [...files].reduce((sum, f) => sum + (outputs[f]?.bytes ?? 0), 0);
  return { name: entry.name, outfile, initBytes: size(seen), totalBytes: size(Object.keys(outputs)) };
}

async function main() {
  mkdirSync(outRoot, { recursive: true });
  const results = [];
  for (const entry of entries()) results.push(await bundle(entry));
  const width = Math.max(...results.map((r) => r.name.length));
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`.padStart(10);
  process.stdout.write(`${"bundle".padEnd(width)}  ${"at init".padStart(10)}  ${"deployed".padStart(10)}\n`);
  for (const r of results) process.stdout.write(`${r.name.padEnd(width)}  ${kb(r.initBytes)}  ${kb(r.totalBytes)}\n`);
  mkdirSync("docs", { recursive: true });
  writeFileSync("docs/openapi.json", `${JSON.stringify(openApiDocument(), null, 2)}\n`);
  process.stdout.write("docs/openapi.json written\n");
  writeFileSync(
    path.join(outRoot, "sizes.json"),
    `${JSON.stringify(
      results.map(({ name, initBytes, totalBytes }) => ({ name, initBytes, totalBytes })),
      null,
      2,
    )}\n`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error) => {
    process.stderr.write(`build failed: ${(error as Error).message}\n`);
    process.exit(1);
  });
}
