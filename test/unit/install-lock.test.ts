import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { withInstallLock } from "../../packages/dev/src/install-lock";

/** Installs of local services run one at a time across callers, and survive an interrupted run. */
describe("withInstallLock", () => {
  it("lets one caller in at a time and releases the lock after a failure", async () => {
    const lockRoot = mkdtempSync(path.join(tmpdir(), "vaultops-lock-"));
    let inside = 0;
    let most = 0;
    const work = (fail: boolean) =>
      withInstallLock(
        "venv",
        async () => {
          inside++;
          most = Math.max(most, inside);
          await new Promise((r) => setTimeout(r, 30));
          inside--;
          if (fail) throw new Error("pip failed");
          return "done";
        },
        { lockRoot },
      );
    const results = await Promise.allSettled([work(true), work(false), work(false)]);
    expect(most).toBe(1);
    expect(results.map((r) => r.status)).toEqual(["rejected", "fulfilled", "fulfilled"]);
    expect(existsSync(path.join(lockRoot, "venv.lock"))).toBe(false);
  });

  it("takes over a lock left by a process that no longer runs", async () => {
    const lockRoot = mkdtempSync(path.join(tmpdir(), "vaultops-lock-"));
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
    mkdirSync(path.join(lockRoot, "venv.lock"));
    writeFileSync(path.join(lockRoot, "venv.lock", "pid"), dead.stdout);
    await expect(withInstallLock("venv", async () => "ran", { lockRoot, timeoutMs: 2_000 })).resolves.toBe("ran");
  });

  it("waits for a live owner and gives up with a message naming the lock", async () => {
    const lockRoot = mkdtempSync(path.join(tmpdir(), "vaultops-lock-"));
    mkdirSync(path.join(lockRoot, "venv.lock"));
    writeFileSync(path.join(lockRoot, "venv.lock", "pid"), String(process.pid));
    await expect(withInstallLock("venv", async () => "ran", { lockRoot, timeoutMs: 300 })).rejects.toThrow(
      /another install of venv/,
    );
  });
});
