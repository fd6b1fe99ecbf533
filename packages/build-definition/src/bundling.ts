/**
 * How every function is built and run: what infra hands to SST (`nodejs`, `hook`, runtime, sizes) and
 * nothing else. SST's own Node builder turns it into the artifacts, on a deploy and in `npm run build`
 * (packages/dev/src/sst-build.ts runs the same Go builder), so no copy of SST's esbuild options lives
 * here. Pure data and functions, no SST globals: infra, the local runtime, scripts and tests import it.
 */
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Duration } from "@vaultops/api";

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

/** esbuild's name for a chunk or a lazily imported module: `<name>-<8-character hash>.mjs`. */
const hashedFile = /-[A-Z0-9]{8}\.mjs$/;

/**
 * SST's `hook` (run on the build directory before it is zipped). SST 3.19.3 answers every Node
 * function's handler as `bundle.handler`, but with `splitting` its builder writes the entry under its
 * own name (`health.mjs`, beside the chunks) and no `bundle.mjs` (fixed in SST 4.6.7, PR #6083): this
 * writes the `bundle.mjs` Lambda will look for, re-exporting the entry.
 */
export const hook = {
  async postbuild(dir: string): Promise<void> {
    if (existsSync(path.join(dir, "bundle.mjs"))) return;
    const entries = readdirSync(dir).filter((f) => f.endsWith(".mjs") && !hashedFile.test(f) && f !== "bundle.mjs");
    if (entries.length !== 1)
      throw new Error(`postbuild: expected one entry module in ${dir}, found ${entries.join(", ") || "none"}`);
    writeFileSync(path.join(dir, "bundle.mjs"), `export * from "./${entries[0]}";\n`);
  },
};

/** A Lambda memory size as SST takes it (`FunctionArgs["memory"]`). */
export type Size = `${number} MB` | `${number} GB`;

/** Runtime, architecture, memory and timeout of every function unless a table entry says otherwise. */
export const functionRuntime: {
  runtime: "nodejs22.x";
  architecture: "arm64";
  memory: Size;
  timeout: Duration;
} = {
  runtime: "nodejs22.x",
  architecture: "arm64",
  memory: "512 MB",
  timeout: "15 seconds",
};

/** Per kind of function, what differs from `functionRuntime` (read by infra and by the local runtime). */
export const functionSizing = {
  authorizer: { memory: "256 MB" },
  fallback: { memory: "128 MB" },
  job: { timeout: "60 seconds" },
  incident: { timeout: "60 seconds" },
  credentialRotation: { timeout: "60 seconds" },
} as const satisfies Record<string, { memory?: Size; timeout?: Duration }>;

/** "512 MB" -> 512; "15 seconds" -> 15 (the units SST accepts in these props). */
export const megabytes = (size: string): number => Number(/^(\d+) MB$/.exec(size)?.[1] ?? Number.NaN);
export const seconds = (duration: string): number => {
  const match = /^(\d+) (second|minute)s?$/.exec(duration);
  if (!match) return Number.NaN;
  return Number(match[1]) * (match[2] === "minute" ? 60 : 1);
};
