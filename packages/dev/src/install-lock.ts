import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { stateDir } from "./paths";

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
};

/**
 * Runs `fn` holding an exclusive lock on `name` across processes (`npm run dev`, a test run and
 * `npm run services:install` may install the same thing at once). The lock is a directory, created
 * atomically; one left behind by a process that died (an interrupted first run) is taken over.
 */
export async function withInstallLock<T>(
  name: string,
  fn: () => Promise<T>,
  options: { timeoutMs?: number; log?: (line: string) => void; lockRoot?: string } = {},
): Promise<T> {
  const dir = path.join(options.lockRoot ?? path.join(stateDir, "locks"), `${name}.lock`);
  mkdirSync(path.dirname(dir), { recursive: true });
  const deadline = Date.now() + (options.timeoutMs ?? 15 * 60_000);
  let told = false;
  for (;;) {
    try {
      mkdirSync(dir);
      writeFileSync(path.join(dir, "pid"), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      let owner = Number.NaN;
      try {
        owner = Number(readFileSync(path.join(dir, "pid"), "utf8"));
      } catch {
        // the owner has created the directory but not yet written its pid
      }
      if (Number.isInteger(owner) && owner > 0 && !alive(owner)) {
        rmSync(dir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for another install of ${name} (lock ${dir})`);
      if (!told) {
        options.log?.(`[setup] waiting for another process installing ${name}...`);
        told = true;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
