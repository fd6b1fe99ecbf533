/**
 * The function artifacts, built by SST's own Node builder: the Go package `sst deploy` runs
 * (`github.com/sst/sst/v3/pkg/runtime/node`, at the SST version of package.json), called through the
 * small Go program in packages/dev/sst-builder, built once from the Go module proxy into
 * .vaultops/bin. For each function it does what `sst.aws.Function` does on a deploy: the
 * `Runtime.Build` call with the function's `nodejs` props, then the `hook.postbuild` infra passes,
 * then the zip's content (the build directory without its source maps). `dist/functions/<name>` holds
 * exactly that content and `dist/functions/manifest.json` the handler string SST gives Lambda.
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { functionCatalogue, functionRuntime, hook, nodejsBuild } from "@vaultops/build-definition";
import { withInstallLock } from "./install-lock";
import { repoRoot, stateDir } from "./paths";
import { runCommand } from "./run-command";
import { onPath } from "./which";

export const outRoot = path.join(repoRoot, "dist", "functions");
export const manifestFile = path.join(outRoot, "manifest.json");
const sourceDir = path.join(repoRoot, "packages", "dev", "sst-builder");
const builderBinary = path.join(stateDir, "bin", "sst-builder");
const builderStamp = `${builderBinary}.sha256`;
const configPath = path.join(repoRoot, "sst.config.ts");

/** The SST version package.json pins (the npm `sst` package `sst deploy` runs). */
export const sstVersion = (): string => {
  const pkg = JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as {
    devDependencies?: Record<string, string>;
  };
  const version = pkg.devDependencies?.sst;
  if (!version) throw new Error("package.json has no sst devDependency");
  return version;
};

/** The SST version packages/dev/sst-builder/go.mod requires. */
export const builderSstVersion = (): string => {
  const match = /github\.com\/sst\/sst\/v3 v([\w.-]+)/.exec(readFileSync(path.join(sourceDir, "go.mod"), "utf8"));
  if (!match?.[1]) throw new Error("packages/dev/sst-builder/go.mod does not require github.com/sst/sst/v3");
  return match[1];
};

const builderDigest = () => {
  const hash = createHash("sha256");
  for (const file of ["go.mod", "go.sum", "main.go"]) hash.update(readFileSync(path.join(sourceDir, file)));
  return hash.digest("hex");
};

/**
 * The builder binary, built with `go build` when missing or older than its sources (about 20 s once;
 * the modules come from the Go module proxy). Refuses to build against another SST than package.json's.
 */
export async function ensureSstBuilder(log: (line: string) => void = () => {}): Promise<string> {
  const expected = sstVersion();
  if (builderSstVersion() !== expected)
    throw new Error(
      `packages/dev/sst-builder/go.mod requires SST ${builderSstVersion()} but package.json pins sst ${expected}: run \`go get github.com/sst/sst/v3@v${expected}\` there`,
    );
  const digest = builderDigest();
  const current = () => existsSync(builderBinary) && readFileSync(builderStamp, "utf8").trim() === digest;
  if (existsSync(builderStamp) && current()) return builderBinary;
  await withInstallLock(
    "sst-builder",
    async () => {
      if (existsSync(builderStamp) && current()) return;
      const go = onPath("go");
      if (!go)
        throw new Error(
          "Go is needed to build SST's Node builder (packages/dev/sst-builder) from the Go module proxy: install Go >= 1.24",
        );
      const started = Date.now();
      log(`[build] building SST ${expected}'s Node builder with go build, once (about 20 s)...`);
      mkdirSync(path.dirname(builderBinary), { recursive: true });
      await runCommand(go, ["build", "-o", builderBinary, "."], (line) => log(`[build]   ${line}`), {
        cwd: sourceDir,
        env: { ...process.env, GOFLAGS: "-mod=readonly" },
      });
      const reported = spawnSync(builderBinary, ["version"], { encoding: "utf8" }).stdout.trim();
      if (reported !== expected) throw new Error(`the built sst-builder reports SST ${reported}, not ${expected}`);
      writeFileSync(builderStamp, `${digest}\n`);
      log(`[build] SST's Node builder ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    },
    { log },
  );
  return builderBinary;
}

/** SST's `runtime.BuildInput`, as `sst.aws.Function` sends it with `Runtime.Build`. */
export interface BuildInput {
  functionID: string;
  handler: string;
  runtime: string;
  properties: Record<string, unknown>;
  encryptionKey: string;
  links: Record<string, unknown>;
}

/** SST's `runtime.BuildOutput`. */
export interface BuildOutput {
  functionID: string;
  out: string;
  handler: string;
  errors: string[];
  sourcemaps: string[];
}

/** Runs SST's builder on `inputs` (its own concurrency: four builds at a time). */
export async function runSstBuilder(
  inputs: BuildInput[],
  log: (line: string) => void = () => {},
): Promise<BuildOutput[]> {
  const binary = await ensureSstBuilder(log);
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ["build", "--config", configPath], { stdio: ["pipe", "pipe", "pipe"], cwd: repoRoot });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-8000);
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`sst-builder exited with ${code}:\n${stderr}`));
      try {
        resolve(JSON.parse(stdout) as BuildOutput[]);
      } catch (error) {
        reject(new Error(`sst-builder answered no JSON (${(error as Error).message}):\n${stderr}`));
      }
    });
    child.stdin.end(JSON.stringify(inputs));
  });
}

/** One function as built: the directory Lambda gets (the zip's content) and the handler string. */
export interface BuiltFunction {
  name: string;
  /** The handler string SST gives Lambda (`bundle.handler`). */
  handler: string;
  /** The source handler infra declares (`functions/vault/health.handler`). */
  source: string;
  /** dist/functions/<name>, relative to the repository. */
  dir: string;
  /** What a cold start loads: the handler's file and the files it imports statically. */
  initBytes: number;
  /** Everything in the zip, lazily loaded chunks included. */
  totalBytes: number;
}

export interface BuildManifest {
  sst: string;
  nodejs: unknown;
  functions: BuiltFunction[];
}

const walk = (dir: string, prefix = ""): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(path.join(dir, entry.name), `${prefix}${entry.name}/`) : [`${prefix}${entry.name}`],
  );

/** The module file Lambda's runtime client loads for `handler` (`bundle.handler` -> bundle.mjs), if any. */
export function handlerModule(dir: string, handler: string): string | undefined {
  const base = handler.slice(0, handler.lastIndexOf("."));
  // The Node runtime interface client tries these, in this order.
  for (const ext of [".js", ".mjs", ".cjs"]) {
    const file = path.join(dir, `${base}${ext}`);
    if (existsSync(file)) return file;
  }
  return undefined;
}

/** Bytes a cold start loads: `entry` and every file it imports statically (`import ... from "./x.mjs"`). */
function initBytes(entry: string): number {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file) || !existsSync(file)) return;
    seen.add(file);
    const code = readFileSync(file, "utf8");
    for (const match of code.matchAll(/(?:\bfrom|\bimport)\s*["'](\.\/[^"']+)["']/g))
      visit(path.join(path.dirname(file), match[1] as string));
  };
  visit(entry);
  return [...seen].reduce((sum, f) => sum + statSync(f).size, 0);
}

/**
 * Builds `functions` as a deploy would and writes each zip's content to `outDir/<name>`; returns what
 * it built. A build error, or a handler SST names that does not resolve in what it built, fails it.
 */
export async function buildFunctions(
  functions: Array<{ name: string; handler: string }>,
  options: {
    outDir?: string;
    log?: (line: string) => void;
    /** Other `nodejs` props than infra's (the bench compares build choices); infra's by default. */
    nodejs?: typeof nodejsBuild;
  } = {},
): Promise<BuiltFunction[]> {
  const outDir = options.outDir ?? outRoot;
  const log = options.log ?? (() => {});
  const nodejs = options.nodejs ?? nodejsBuild;
  const properties = { ...nodejs, architecture: functionRuntime.architecture };
  const outputs = await runSstBuilder(
    functions.map((f) => ({
      functionID: f.name,
      handler: f.handler,
      runtime: functionRuntime.runtime,
      properties,
      // sst.aws.Function always sends one: the builder writes the links, encrypted, to resource.enc.
      encryptionKey: randomBytes(32).toString("base64"),
      links: {},
    })),
    log,
  );
  const built: BuiltFunction[] = [];
  for (const [i, output] of outputs.entries()) {
    const f = functions[i] as { name: string; handler: string };
    if (output.errors.length > 0) throw new Error(`SST's builder failed on ${f.handler}:\n${output.errors.join("\n")}`);
    await hook.postbuild(output.out);
    // What sst.aws.Function zips: the build directory, without the source maps the builder reported.
    const maps = new Set(output.sourcemaps.map((m) => path.relative(output.out, m)));
    const target = path.join(outDir, f.name);
    rmSync(target, { recursive: true, force: true });
    let totalBytes = 0;
    for (const file of walk(output.out).filter((file) => !maps.has(file))) {
      mkdirSync(path.dirname(path.join(target, file)), { recursive: true });
      copyFileSync(path.join(output.out, file), path.join(target, file));
      totalBytes += statSync(path.join(target, file)).size;
    }
    const entry = handlerModule(target, output.handler);
    if (!entry)
      throw new Error(
        `SST's builder answered the handler "${output.handler}" for ${f.handler}, but what it built has no such file: ${walk(target).slice(0, 8).join(", ")}...`,
      );
    built.push({
      name: f.name,
      handler: output.handler,
      source: f.handler,
      dir: path.relative(repoRoot, target),
      initBytes: initBytes(entry),
      totalBytes,
    });
  }
  return built;
}

/** The sources a bundle is made of: when none changed since the last build, dist/ is current. */
function sourceDigest(): string {
  const hash = createHash("sha256");
  const walkSources = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((x, y) => x.name.localeCompare(y.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "node_modules") walkSources(full);
      } else if (/\.(ts|json|go|mod|sum)$/.test(entry.name)) {
        hash.update(full).update(readFileSync(full));
      }
    }
  };
  for (const dir of [
    "functions",
    "infra",
    "packages/api/src",
    "packages/build-definition/src",
    "packages/core/src",
    "packages/lambda/src",
    "packages/dev/sst-builder",
  ])
    walkSources(path.join(repoRoot, dir));
  hash.update(readFileSync(path.join(repoRoot, "package-lock.json")));
  return hash.digest("hex");
}

const stampFile = () => path.join(outRoot, ".sources.sha256");

/** True when dist/functions was built from the sources as they are now. */
export function bundlesUpToDate(): boolean {
  return existsSync(stampFile()) && readFileSync(stampFile(), "utf8").trim() === sourceDigest();
}

/** Every function of the catalogue, built into dist/functions, with manifest.json and the stamp. */
export async function buildAll(log: (line: string) => void = () => {}): Promise<BuiltFunction[]> {
  mkdirSync(outRoot, { recursive: true });
  rmSync(stampFile(), { force: true });
  const digest = sourceDigest();
  const built = await buildFunctions(
    functionCatalogue.map((f) => ({ name: f.name, handler: f.handler })),
    { log },
  );
  const manifest: BuildManifest = { sst: sstVersion(), nodejs: nodejsBuild, functions: built };
  writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(stampFile(), `${digest}\n`);
  return built;
}

/** dist/functions/manifest.json: what the last build wrote. */
export function readManifest(): BuildManifest {
  if (!existsSync(manifestFile)) throw new Error("dist/functions/manifest.json is missing: run npm run build");
  return JSON.parse(readFileSync(manifestFile, "utf8")) as BuildManifest;
}

/** The built function of a catalogue name: its directory (absolute) and SST's handler string. */
export function builtFunction(name: string): { dir: string; handler: string } {
  const found = readManifest().functions.find((f) => f.name === name);
  if (!found) throw new Error(`${name} is not in dist/functions/manifest.json: run npm run build`);
  return { dir: path.join(repoRoot, found.dir), handler: found.handler };
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
      log("[build] building the functions with SST's Node builder (the sources changed since the last build)...");
      await buildAll(log);
      log(`[build] ${functionCatalogue.length} functions built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return "built" as const;
    },
    { log },
  );
}
