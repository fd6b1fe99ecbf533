import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (this file is packages/dev/src/paths.ts). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
/** Git-ignored state of the local runtime: Python env, dev.json, bench.json. */
export const stateDir = path.join(repoRoot, ".vaultops");
export const devRequirements = (name: "vault" | "test") =>
  path.join(repoRoot, "packages", "dev", `requirements-${name}.txt`);
