/**
 * How every function is built and run: the one definition that `infra/functions.ts` hands to SST and
 * that `npm run build`, the benchmark and the local Lambda runtime use. Pure data and functions, no
 * SST globals, so scripts and tests can import it.
 *
 * `esbuildOptions` reproduces what SST v3.19.3's Node builder (pkg/runtime/node/build.go) derives from
 * the `nodejs` props for `format: "esm"`: platform node, bundle, keepNames, ESM, the target of the
 * Lambda runtime, `mainFields: ["module", "main"]` (without it the AWS SDK's CommonJS build is taken
 * and a split chunk exports only `default`), splitting into `.mjs` files, minify, linked source maps,
 * and the banner that gives ESM a `require`, `__filename` and `__dirname`.
 */
import type { BuildOptions } from "esbuild";

/** The `nodejs` props of every function (SST's `FunctionArgs["nodejs"]`). */
export const nodejsBuild: {
  format: "esm";
  minify: boolean;
  splitting: boolean;
  /** SST passes only some esbuild options through; these are the ones we set. */
  esbuild?: { target?: string; mainFields?: string[]; keepNames?: boolean; external?: string[] };
  banner?: string;
} = {
  format: "esm",
  minify: true,
  // Clients a route rarely needs (node-vault, CloudWatch, Secrets Manager, SigV4) load on first use.
  splitting: true,
};

/** Runtime, architecture, memory and timeout of every function unless a table entry says otherwise. */
export const functionRuntime = {
  runtime: "nodejs22.x",
  architecture: "arm64",
  memory: "512 MB",
  timeout: "15 seconds",
} as const;

/** Per kind of function, what differs from `functionRuntime` (read by infra and by the local runtime). */
export const functionSizing = {
  authorizer: { memory: "256 MB" },
  fallback: { memory: "128 MB" },
  job: { timeout: "60 seconds" },
  incident: { timeout: "60 seconds" },
  credentialRotation: { timeout: "60 seconds" },
} as const;

/** SST's target per Lambda runtime (build.go's targetMap). */
const runtimeTargets: Record<string, string> = {
  "nodejs22.x": "es2023",
  "nodejs20.x": "es2023",
  "nodejs18.x": "es2022",
};

/** SST's fixed ESM banner, followed by the function's own `nodejs.banner`. */
const sstEsmBanner = [
  `import { createRequire as topLevelCreateRequire } from 'module';`,
  `const require = topLevelCreateRequire(import.meta.url);`,
  `import { fileURLToPath as topLevelFileUrlToPath, URL as topLevelURL } from "url"`,
  `const __filename = topLevelFileUrlToPath(import.meta.url)`,
  `const __dirname = topLevelFileUrlToPath(new topLevelURL(".", import.meta.url))`,
];

/** Packages SST never bundles (build.go's forceExternal). */
const forceExternal = ["sharp", "pg-native"];

/**
 * The esbuild options SST's Node builder uses for one function (deploy build, not `sst dev`):
 * `entry` is the handler file, `outdir` the function's bundle directory.
 */
export function esbuildOptions(
  nodejs: typeof nodejsBuild,
  input: { entry: string; outdir: string; runtime?: string },
): BuildOptions {
  const runtime = input.runtime ?? functionRuntime.runtime;
  const options: BuildOptions = {
    entryPoints: { index: input.entry },
    platform: "node",
    external: [...forceExternal, ...(nodejs.esbuild?.external ?? [])],
    keepNames: nodejs.esbuild?.keepNames ?? true,
    bundle: true,
    splitting: nodejs.splitting,
    metafile: true,
    sourcemap: "linked",
    write: true,
    format: "esm",
    target: nodejs.esbuild?.target ?? runtimeTargets[runtime] ?? "esnext",
    mainFields: nodejs.esbuild?.mainFields ?? ["module", "main"],
    banner: { js: [...sstEsmBanner, nodejs.banner ?? ""].join("\n") },
    outdir: input.outdir,
    outExtension: { ".js": ".mjs" },
    minify: nodejs.minify,
    logLevel: "warning",
  };
  return options;
}

/** "512 MB" -> 512; "15 seconds" -> 15 (the units SST accepts in these props). */
export const megabytes = (size: string): number => Number(/^(\d+) MB$/.exec(size)?.[1] ?? Number.NaN);
export const seconds = (duration: string): number => {
  const match = /^(\d+) (second|minute)s?$/.exec(duration);
  if (!match) return Number.NaN;
  return Number(match[1]) * (match[2] === "minute" ? 60 : 1);
};
