import { spawn } from "node:child_process";
import { freePort, waitFor } from "./ports";
import { ensurePythonPackages, venvBin } from "./python-env";

export interface MotoServer {
  endpoint: string;
  stop(): Promise<void>;
}

/** moto in server mode on a free loopback port: Secrets Manager, CloudWatch, EventBridge, S3, STS. */
export async function startMotoServer(log?: (line: string) => void): Promise<MotoServer> {
  await ensurePythonPackages(["test"], log);
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(venvBin("moto_server"), ["-H", "127.0.0.1", "-p", String(port)], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, MOTO_ALLOW_NONEXISTENT_REGION: "true" },
  });
  let output = "";
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-5_000);
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  let exited = false;
  child.on("exit", () => {
    exited = true;
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (exited) return resolve();
      const kill = setTimeout(() => child.kill("SIGKILL"), 3_000);
      child.once("exit", () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill("SIGTERM");
    });
  try {
    await waitFor(
      async () => {
        if (exited) throw new Error(`moto exited:\n${output}`);
        return (await fetch(`${endpoint}/moto-api/`)).ok;
      },
      60_000,
      "moto server",
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, stop };
}
