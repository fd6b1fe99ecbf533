/**
 * `npm run build`: bundles every handler of the route and schedule tables (and the authorizer, the
 * incident and credential-rotation functions, the fallback route) into dist/functions/<name>/index.mjs
 * with the build definition of infra/bundling.ts, the AWS SDK v3 bundled. Prints each bundle's size and
 * writes dist/functions/sizes.json and docs/openapi.json.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { openApiDocument } from "@vaultops/api";
import { build } from "esbuild";
import { esbuildOptions, nodejsBuild } from "../infra/bundling";
import { functionCatalogue } from "../infra/function-catalogue";
import { withInstallLock } from "../packages/dev/src/install-lock";

export const outRoot = path.resolve("dist/functions");

/** The `nodejs` props infra gives SST for every function (asserted identical by the infra test). */
export const buildDefinition = nodejsBuild;

/** Every function of the catalogue, as a bundle to build. */
export function entries(): Array<{ name: string; file: string }> {
  return functionCatalogue.map((f) => ({ name: f.name, file: f.file }));
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
 * One function's bundle, built with exactly the options SST's Node builder derives from
 * `functionDefaults.nodejs` (infra/bundling.ts): what this writes to dist/ is what a deploy uploads.
 */
export async function bundle(entry: { name: string; file: string }, outDir = outRoot): Promise<BundleResult> {
  const dir = path.join(outDir, entry.name);
  rmSync(dir, { recursive: true, force: true });
  const result = await build(esbuildOptions(buildDefinition, { entry: entry.file, outdir: dir }));
  if (!result.metafile) throw new Error(`esbuild gave no metafile for ${entry.name}`);
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
  // Source maps are uploaded apart from the code (SST does the same); they are not loaded at init.
  const code = (files: Iterable<string>) => [...files].filter((f) => !f.endsWith(".map"));
  const size = (files: Iterable<string>) => code(files).reduce((sum, f) => sum + (outputs[f]?.bytes ?? 0), 0);
  return { name: entry.name, outfile, initBytes: size(seen), totalBytes: size(Object.keys(outputs)) };
}

/** The sources a bundle is made of: when none changed since the last build, dist/ is current. */
function sourceDigest(): string {
  const hash = createHash("sha256");
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((x, y) => x.name.localeCompare(y.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "node_modules") walk(full);
      } else if (/\.(ts|json)$/.test(entry.name)) {
        hash.update(full).update(readFileSync(full));
      }
    }
  };
  for (const dir of ["functions", "infra", "packages/api/src", "packages/core/src", "packages/lambda/src"])
    walk(path.resolve(dir));
  hash.update(readFileSync(path.resolve("package-lock.json")));
  return hash.digest("hex");
}

const stampFile = () => path.join(outRoot, ".sources.sha256");

/** True when dist/functions was built from the sources as they are now. */
export function bundlesUpToDate(): boolean {
  return existsSync(stampFile()) && readFileSync(stampFile(), "utf8").trim() === sourceDigest();
}

/** Builds every bundle (two at a time: esbuild uses both cores), writes sizes.json and the stamp. */
export async function buildAll(log: (line: string) => void = () => {}): Promise<BundleResult[]> {
  mkdirSync(outRoot, { recursive: true });
  rmSync(stampFile(), { force: true });
  const digest = sourceDigest();
  const queue = entries();
  const results: BundleResult[] = [];
  const worker = async () => {
    for (let entry = queue.shift(); entry; entry = queue.shift()) {
      results.push(await bundle(entry));
      log(`[build] ${entry.name} (${results.length}/${functionCatalogue.length})`);
    }
  };
  await Promise.all([worker(), worker()]);
  results.sort(
    (x, y) =>
      functionCatalogue.findIndex((f) => f.name === x.name) - functionCatalogue.findIndex((f) => f.name === y.name),
  );
  writeFileSync(
    path.join(outRoot, "sizes.json"),
    `${JSON.stringify(
      results.map(({ name, initBytes, totalBytes }) => ({ name, initBytes, totalBytes })),
      null,
      2,
    )}\n`,
  );
  writeFileSync(stampFile(), `${digest}\n`);
  return results;
}

/**
 * Builds the bundles unless dist/functions is current with the sources, holding a lock so that
 * `npm run dev`, the artifact suite and the bench never build over each other.
 */
export async function ensureBundles(log: (line: string) => void = () => {}): Promise<"current" | "built"> {
  if (bundlesUpToDate()) return "current";
  return withInstallLock(
    "bundles",
    async () => {
      if (bundlesUpToDate()) return "current" as const;
      const started = Date.now();
      log("[build] building the function bundles (the sources changed since the last build)...");
      await buildAll();
      log(`[build] ${functionCatalogue.length} bundles built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return "built" as const;
    },
    { log },
  );
}

async function main() {
  const started = Date.now();
  const results = await buildAll();
  const width = Math.max(...results.map((r) => r.name.length));
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`.padStart(10);
  process.stdout.write(`${"bundle".padEnd(width)}  ${"at init".padStart(10)}  ${"deployed".padStart(10)}\n`);
  for (const r of results) process.stdout.write(`${r.name.padEnd(width)}  ${kb(r.initBytes)}  ${kb(r.totalBytes)}\n`);
  mkdirSync("docs", { recursive: true });
  writeFileSync("docs/openapi.json", `${JSON.stringify(openApiDocument(), null, 2)}\n`);
  process.stdout.write(
    `docs/openapi.json written; ${results.length} bundles in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error) => {
    process.stderr.write(`build failed: ${(error as Error).message}\n`);
    process.exit(1);
  });
}
