import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { builderSstVersion, sstVersion } from "../../packages/dev/src/sst-build";
import { sstPlatformPackage } from "../../packages/dev/src/sst-platform";

/** One SST version: the npm package `sst deploy` runs, the Go builder `npm run build` runs, the platform types. */
describe("the SST version is pinned once", () => {
  it("builds with SST's Node builder at package.json's sst version", () => {
    expect(builderSstVersion()).toBe(sstVersion());
    const lock = JSON.parse(readFileSync("package-lock.json", "utf8")) as {
      packages: Record<string, { version?: string }>;
    };
    expect(lock.packages["node_modules/sst"]?.version).toBe(sstVersion());
  });

  it("installs SST's platform with the npm dependencies SST's own platform/package.json names at that version", () => {
    const ours = JSON.parse(readFileSync("packages/dev/sst-platform/package.json", "utf8")) as {
      dependencies: Record<string, string>;
      overrides?: Record<string, string>;
    };
    const sst = sstPlatformPackage();
    expect(ours.dependencies).toEqual(sst.dependencies);
    expect(ours.overrides).toEqual(sst.overrides);
  });
});
