/**
 * The deploy rehearsal (README: Deploy rehearsal): sst.config.ts run by SST's own components, offline.
 * Each stage runs in its own process (run-stage.ts) under Pulumi's mocks; this module installs what it
 * needs (SST's platform, the function artifacts) and reads back the graph.
 */
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, renameSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { repoRoot, stateDir } from "../paths";
import { ensureBundles } from "../sst-build";
import { ensureSstPlatform } from "../sst-platform";
import type { RehearsalGraph } from "./graph";

export * from "./graph";

const runner = path.join(path.dirname(fileURLToPath(import.meta.url)), "run-stage.ts");

/** SST's platform in .sst/platform and dist/functions current with the sources (each built only if not). */
export async function prepareRehearsal(log: (line: string) => void = () => {}): Promise<void> {
  await ensureSstPlatform(log);
  await ensureBundles(log);
}

/** The graph of `stage`, written to .vaultops/rehearsal/<stage>.json too (the last one run). */
export async function rehearseStage(stage: string): Promise<RehearsalGraph> {
  const finalFile = path.join(stateDir, "rehearsal", `${stage}.json`);
  // Two rehearsals at once (a test run and npm run rehearse) never read each other's half-written file.
  const outFile = `${finalFile}.${process.pid}-${Date.now()}`;
  mkdirSync(path.dirname(outFile), { recursive: true });
  const tsx = path.join(repoRoot, "node_modules", "tsx", "dist", "cli.mjs");
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [tsx, runner, stage, outFile], {
      cwd: repoRoot,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true", NODE_OPTIONS: "--no-deprecation" },
    });
    let output = "";
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-12_000);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`rehearsal of stage "${stage}" failed (exit ${code}):\n${output}`)),
    );
  });
  const graph = JSON.parse(readFileSync(outFile, "utf8")) as RehearsalGraph;
  renameSync(outFile, finalFile);
  return graph;
}
