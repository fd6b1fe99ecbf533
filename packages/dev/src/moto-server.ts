import { spawnService } from "./child-service";
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
  const service = spawnService(venvBin("moto_server"), ["-H", "127.0.0.1", "-p", String(port)], {
    ...process.env,
    MOTO_ALLOW_NONEXISTENT_REGION: "true",
  });
  const { stop } = service;
  try {
    await waitFor(
      async () => {
        if (service.exited()) throw new Error(`moto exited:\n${service.output()}`);
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
