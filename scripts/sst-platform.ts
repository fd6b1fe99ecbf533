/**
 * Installs SST's platform (its components' source and npm dependencies, at package.json's SST version)
 * into .sst/platform, where `sst install` puts it, unless it is there: `npm run typecheck` checks infra/
 * against it. See packages/dev/src/sst-platform.ts.
 */
import { ensureSstPlatform } from "../packages/dev/src/sst-platform";

ensureSstPlatform((line) => process.stderr.write(`${line}\n`)).catch((error: Error) => {
  process.stderr.write(`SST platform install failed: ${error.message}\n`);
  process.exit(1);
});
