import { appendFileSync } from "node:fs";

/**
 * The test run's log file (VAULTOPS_TEST_LOG, set by vitest.config.ts): every line handlers, jobs,
 * emulated functions and `npm run dev` children print goes there too, and the global teardown scans
 * it for the secret values the tests used. The production logger knows nothing of it.
 */
const file = process.env.VAULTOPS_TEST_LOG;

export function teeText(text: string): void {
  if (file && text) appendFileSync(file, text.endsWith("\n") ? text : `${text}\n`);
}

export const teeLine = (line: string): void => teeText(`${line}\n`);

/** In this test process: whatever reaches stdout (JSON log lines, EMF) is also written to the file. */
export function teeStdout(): void {
  if (!file) return;
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    teeText(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
    return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write;
}
