import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { teeText } from "./log-tee";

export interface DevFacts {
  runtime: "source" | "lambda";
  apiUrl: string;
  apiToken: string;
  apiReadToken: string;
  vaultAddr: string;
  vaultToken: string;
  vaultUnsealKey: string;
  dynamodbEndpoint: string;
  /** With VAULTOPS_DEV_MOTO=1: moto's endpoint. */
  awsEndpoint?: string;
}

/** `npm run dev` as a child process on a free port, with its dev.json in a temp folder. */
export async function startDevRuntime(extraEnv: Record<string, string> = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), "vaultops-dev-"));
  const devFile = path.join(dir, "dev.json");
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: "0",
    VAULTOPS_DEV_FILE: devFile,
    SNAPSHOT_DIR: path.join(dir, "snapshots"),
    SNAPSHOT_KEY_FILE: path.join(dir, "snapshot.key"),
  };
  // The test process's own service addresses never leak into the child; a test passes them explicitly.
  delete env.VAULT_ADDR;
  delete env.VAULT_TOKEN;
  delete env.DYNAMODB_ENDPOINT;
  Object.assign(env, extraEnv);
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "packages/dev/src/main.ts"], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  // Everything the child prints (its functions' logs included) goes to the run's scanned log file too.
  child.stdout?.on("data", (c: Buffer) => {
    output += c.toString();
    teeText(c.toString());
  });
  child.stderr?.on("data", (c: Buffer) => {
    output += c.toString();
    teeText(c.toString());
  });
  const deadline = Date.now() + 240_000;
  while (!/ready/.test(output)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`dev runtime did not get ready:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const facts = JSON.parse(readFileSync(devFile, "utf8")) as DevFacts;
  return {
    child,
    facts,
    devFile,
    dir,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill("SIGINT");
      await new Promise((r) => child.once("exit", r));
    },
  };
}
