/**
 * `npm run services:install`: what the local runtime and the tests start, installed once into the
 * git-ignored .vaultops: OpenBao and moto (PyPI, into .vaultops/venv), and the Lambda runtime
 * emulator with the Node runtime interface client and Node 22 (Go module and npm, into
 * .vaultops/lambda), promtool (Debian's prometheus package, into .vaultops/bin) for the alert-rule
 * tests, SST's Node builder (Go, into .vaultops/bin) for `npm run build`, and SST's platform (into
 * .sst/platform) for the infra type-check. CI runs it first. Without Go the emulator is skipped with a message (and the
 * artifact suite then fails under CI=true, saying how to get it).
 */
import { ensureLambdaTools } from "../packages/dev/src/lambda-tools";
import { ensurePromtool } from "../packages/dev/src/promtool";
import { ensurePythonPackages } from "../packages/dev/src/python-env";
import { ensureSstBuilder } from "../packages/dev/src/sst-build";
import { ensureSstPlatform } from "../packages/dev/src/sst-platform";

const log = (line: string) => process.stderr.write(`${line}\n`);
const started = Date.now();

async function main() {
  await Promise.all([
    ensurePythonPackages(["vault", "test"], log),
    ensureLambdaTools(log).then(({ tools, missing }) => {
      if (tools) log(`[setup] Lambda runtime: aws-lambda-rie, aws-lambda-ric, Node ${tools.nodeVersion}`);
      else log(`[setup] Lambda runtime not available: missing ${missing.join("; ")}`);
    }),
    ensurePromtool(log).then(({ promtool, reason }) =>
      log(promtool ? `[setup] promtool: ${promtool}` : `[setup] promtool not available: ${reason}`),
    ),
    ensureSstBuilder(log).then((binary) => log(`[setup] SST's Node builder: ${binary}`)),
    ensureSstPlatform(log).then((dir) => log(`[setup] SST's platform: ${dir}`)),
  ]);
  log(`[setup] local services ready to start (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

main().catch((error: Error) => {
  log(`[setup] failed: ${error.message}`);
  process.exit(1);
});
