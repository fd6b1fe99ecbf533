import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { withInstallLock } from "./install-lock";
import { stateDir } from "./paths";
import { runCommand } from "./run-command";
import { onPath } from "./which";

const installed = path.join(stateDir, "bin", "promtool");

/** promtool on the PATH, or the one taken from Debian's `prometheus` package into .vaultops/bin. */
export function findPromtool(): string | undefined {
  return process.env.VAULTOPS_PROMTOOL ?? onPath("promtool") ?? (existsSync(installed) ? installed : undefined);
}

/**
 * Gets promtool without installing the Prometheus server: `apt-get download prometheus` (Debian's
 * package, no root needed) and only the promtool binary unpacked from it with `dpkg -x`.
 */
export async function ensurePromtool(log: (line: string) => void): Promise<{ promtool?: string; reason?: string }> {
  const found = findPromtool();
  if (found) return { promtool: found };
  if (!onPath("apt-get") || !onPath("dpkg"))
    return { reason: "no promtool on the PATH, and no apt-get/dpkg to get it" };
  return withInstallLock(
    "promtool",
    async () => {
      if (existsSync(installed)) return { promtool: installed };
      const dir = mkdtempSync(path.join(tmpdir(), "vaultops-promtool-"));
      try {
        log("[setup] getting promtool from Debian's prometheus package (apt-get download, dpkg -x)...");
        await runCommand("apt-get", ["download", "prometheus"], (line) => log(`[setup]   ${line}`), { cwd: dir });
        const deb = readdirSync(dir).find((f) => f.endsWith(".deb"));
        if (!deb) return { reason: "apt-get download prometheus produced no package" };
        const unpacked = path.join(dir, "x");
        await runCommand("dpkg", ["-x", path.join(dir, deb), unpacked], log);
        mkdirSync(path.dirname(installed), { recursive: true });
        copyFileSync(path.join(unpacked, "usr", "bin", "promtool"), installed);
        const version = spawnSync(installed, ["--version"], { encoding: "utf8" }).stdout.split("\n")[0];
        log(`[setup] ${version}`);
        return { promtool: installed };
      } catch (error) {
        return { reason: `promtool could not be installed: ${(error as Error).message.split("\n")[0]}` };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    { log },
  );
}
