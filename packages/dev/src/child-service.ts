import { type ChildProcess, spawn } from "node:child_process";

/**
 * A server this process starts (OpenBao, moto): its recent output for error messages, whether it
 * exited, and a stop that sends SIGTERM and, 3 s later, SIGKILL.
 */
export function spawnService(command: string, args: string[], env: NodeJS.ProcessEnv) {
  const child: ChildProcess = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const listeners: Array<(text: string) => void> = [];
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
    for (const listener of listeners) listener(output);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  let exited = false;
  child.on("exit", () => {
    exited = true;
  });
  return {
    child,
    output: () => output,
    onOutput: (listener: (text: string) => void) => listeners.push(listener),
    exited: () => exited,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        const kill = setTimeout(() => child.kill("SIGKILL"), 3_000);
        child.once("exit", () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill("SIGTERM");
      }),
  };
}
