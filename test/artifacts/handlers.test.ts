import { cpSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { functionCatalogue } from "@vaultops/build-definition";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmulatedFunction } from "../../packages/dev/src/lambda-emulator";
import { ensureLambdaTools } from "../../packages/dev/src/lambda-tools";
import { repoRoot } from "../../packages/dev/src/paths";
import {
  type BuiltFunction,
  ensureBundles,
  outRoot,
  readManifest,
  runSstBuilder,
} from "../../packages/dev/src/sst-build";

/**
 * The handler string SST gives Lambda resolves, for every function, in what the deploy zips: each
 * function's directory runs under the Lambda runtime emulator with `_HANDLER` set to that string, and
 * the runtime client must find the module and its export (an invocation that reaches the handler
 * fails later, on the empty environment, never with `Runtime.ImportModuleError` or
 * `Runtime.HandlerNotFound`).
 */
const log = (line: string) => process.stderr.write(`${line}\n`);
const { tools } = await ensureLambdaTools(log);
let functions: BuiltFunction[] = [];
const scratch = path.join(repoRoot, ".vaultops", "handler-test");

beforeAll(async () => {
  await ensureBundles(log);
  functions = readManifest().functions;
}, 300_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** What the runtime client reports when it cannot load the handler, if it cannot. */
async function loadFailure(dir: string, handler: string): Promise<string | undefined> {
  if (!tools) throw new Error("no Lambda runtime");
  const fn = new EmulatedFunction(
    { name: "handler-check", bundleDir: dir, handler, memoryMb: 128, timeoutSeconds: 5, env: {} },
    tools,
    { maxEnvironments: 1 },
  );
  try {
    // An event no entry kind acts on: the handler is loaded at init and then refuses it.
    const result = await fn.invoke({ handlerCheck: true });
    const type = result.functionError?.errorType ?? "";
    const message = result.functionError?.errorMessage ?? "";
    return /ImportModuleError|HandlerNotFound|MalformedHandlerName|UserCodeSyntaxError|Cannot find module/.test(
      `${type} ${message}`,
    )
      ? `${type}: ${message.slice(0, 200)}`
      : undefined;
  } finally {
    await fn.stop();
  }
}

const files = (dir: string) =>
  readdirSync(dir)
    .filter((f) => !f.endsWith(".map"))
    .sort();

describe.runIf(tools)("the handler SST gives Lambda resolves in what the deploy zips", () => {
  it("builds every function of the catalogue with SST's builder, each answered `bundle.handler`", () => {
    expect(functions.map((f) => f.name).sort()).toEqual(functionCatalogue.map((f) => f.name).sort());
    for (const f of functions) expect(f.handler, f.name).toBe("bundle.handler");
  });

  it("loads every function's handler under the Lambda runtime emulator", async () => {
    const failures: string[] = [];
    for (const f of functions) {
      const failure = await loadFailure(path.join(repoRoot, f.dir), f.handler);
      if (failure) failures.push(`${f.name}: ${failure}`);
    }
    expect(failures).toEqual([]);
  }, 180_000);

  it("fails a function whose handler does not resolve (SST 3.19.3's split build without the postbuild hook)", async () => {
    const health = functions.find((f) => f.name === "vault-health") as BuiltFunction;
    const dir = path.join(scratch, "no-hook");
    rmSync(dir, { recursive: true, force: true });
    cpSync(path.join(repoRoot, health.dir), dir, { recursive: true });
    rmSync(path.join(dir, "bundle.mjs"));
    expect(await loadFailure(dir, health.handler)).toMatch(/ImportModuleError|Cannot find module/);
  }, 60_000);

  it("writes the file names SST's builder writes when run by hand on the same function", async () => {
    const config = functions.find((f) => f.name === "config-get") as BuiltFunction;
    const [byHand] = await runSstBuilder([
      {
        functionID: "by-hand-config-get",
        handler: config.source,
        runtime: "nodejs22.x",
        properties: { ...(readManifest().nodejs as object), architecture: "arm64" },
        encryptionKey: Buffer.alloc(32).toString("base64"),
        links: {},
      },
    ]);
    expect(byHand?.handler).toBe(config.handler);
    // The postbuild hook adds bundle.mjs; everything else is the builder's, name for name.
    expect(files(path.join(outRoot, config.name)).filter((f) => f !== "bundle.mjs")).toEqual(
      files(byHand?.out as string),
    );
  }, 60_000);
});
