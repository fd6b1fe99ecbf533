/**
 * SST's platform (its components' TypeScript source, `sst.aws.Function`, `ApiGatewayV2`, ... and the
 * `$config`/`sst`/`aws` globals) at the SST version of package.json, where `sst install` puts it:
 * `.sst/platform`. The source comes from the Go module `github.com/sst/sst/v3` (the module proxy
 * serves the tag; its `platform/` folder is what the SST binary embeds), the npm dependencies from
 * packages/dev/sst-platform's lock (SST's own `platform/package.json` dependencies, checked equal by
 * a test). `config.d.ts` is written as `sst install` writes it for an app on the aws provider.
 * `npm run typecheck` checks infra/ against these types.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { withInstallLock } from "./install-lock";
import { repoRoot } from "./paths";
import { runCommand } from "./run-command";
import { sstVersion } from "./sst-build";
import { onPath } from "./which";

export const platformDir = path.join(repoRoot, ".sst", "platform");
const manifestDir = path.join(repoRoot, "packages", "dev", "sst-platform");
const stampFile = path.join(platformDir, ".vaultops-platform");

const stamp = () =>
  `${sstVersion()} ${createHash("sha256")
    .update(readFileSync(path.join(manifestDir, "package-lock.json")))
    .digest("hex")
    .slice(0, 16)}`;

/** The Go module cache's copy of SST at the pinned version (downloaded from the module proxy if needed). */
export function sstModuleDir(): string {
  const go = onPath("go");
  if (!go) throw new Error("Go is needed to fetch SST's platform source from the Go module proxy");
  const out = spawnSync(go, ["mod", "download", "-json", `github.com/sst/sst/v3@v${sstVersion()}`], {
    encoding: "utf8",
    cwd: repoRoot,
    env: { ...process.env, GOFLAGS: "-mod=mod" },
  });
  const info = JSON.parse(out.stdout || "{}") as { Dir?: string; Error?: string };
  if (!info.Dir)
    throw new Error(`go mod download github.com/sst/sst/v3@v${sstVersion()} failed: ${info.Error ?? out.stderr}`);
  return info.Dir;
}

/** SST's own platform/package.json at the pinned version. */
export function sstPlatformPackage(): { dependencies: Record<string, string>; overrides?: Record<string, string> } {
  return JSON.parse(readFileSync(path.join(sstModuleDir(), "platform", "package.json"), "utf8"));
}

/** What `sst install` writes as .sst/platform/config.d.ts for an app whose providers are { aws }. */
const configTypes = `import "./src/global.d.ts"
import "../types.generated"
import { AppInput, App, Config } from "./src/config"
import * as _aws from "@pulumi/aws";


declare global {
  // @ts-expect-error
  export import aws = _aws
  interface Providers {
    providers?: {
      "aws"?:  (_aws.ProviderArgs & { version?: string }) | boolean | string;
    }
  }
  export const $config: (
    input: Omit<Config, "app"> & {
      app(input: AppInput): Promise<Omit<App, "providers"> & Providers> | (Omit<App, "providers"> & Providers);
    },
  ) => Config;
}
`;

/** Installs SST's platform into .sst/platform unless it is there at the pinned version (35 s once). */
export async function ensureSstPlatform(log: (line: string) => void = () => {}): Promise<string> {
  const current = () => existsSync(stampFile) && readFileSync(stampFile, "utf8").trim() === stamp();
  if (current()) return platformDir;
  await withInstallLock(
    "sst-platform",
    async () => {
      if (current()) return;
      const started = Date.now();
      log(
        `[setup] installing SST ${sstVersion()}'s platform (components and their npm dependencies) into .sst/platform, once...`,
      );
      const source = path.join(sstModuleDir(), "platform");
      rmSync(platformDir, { recursive: true, force: true });
      mkdirSync(platformDir, { recursive: true });
      for (const entry of ["src", "functions", "tsconfig.json"])
        cpSync(path.join(source, entry), path.join(platformDir, entry), { recursive: true });
      // The module cache is read-only; the copy must not be.
      spawnSync("chmod", ["-R", "u+w", platformDir]);
      for (const file of ["package.json", "package-lock.json"])
        cpSync(path.join(manifestDir, file), path.join(platformDir, file));
      chmodSync(path.join(platformDir, "package.json"), 0o644);
      await runCommand(
        "npm",
        ["ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"],
        (line) => {
          if (!/^npm warn/.test(line)) log(`[setup]   ${line.length > 160 ? `${line.slice(0, 157)}...` : line}`);
        },
        { cwd: platformDir, env: { ...process.env, npm_config_update_notifier: "false" } },
      );
      writeFileSync(path.join(platformDir, "config.d.ts"), configTypes);
      // `sst install` generates the linked resources' types here; vaultops links none.
      writeFileSync(
        path.join(platformDir, "..", "types.generated.d.ts"),
        `declare module "sst" {\n  export interface Resource {}\n}\nexport {};\n`,
      );
      writeFileSync(stampFile, `${stamp()}\n`);
      log(`[setup] SST platform ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    },
    { log },
  );
  return platformDir;
}
