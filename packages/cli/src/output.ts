import { Presets, SingleBar } from "cli-progress";
import pc from "picocolors";

/** Colours only on a terminal (picocolors also honours NO_COLOR and FORCE_COLOR). */
const tty = Boolean(process.stdout.isTTY);
export const color = {
  ok: (s: string) => (tty ? pc.green(s) : s),
  warn: (s: string) => (tty ? pc.yellow(s) : s),
  bad: (s: string) => (tty ? pc.red(s) : s),
  dim: (s: string) => (tty ? pc.dim(s) : s),
  bold: (s: string) => (tty ? pc.bold(s) : s),
};

export const print = (line = ""): void => {
  process.stdout.write(`${line}\n`);
};
export const printJson = (value: unknown): void => print(JSON.stringify(value, null, 2));

export function table(rows: Array<Record<string, unknown>>, columns: string[]): void {
  const cells = rows.map((r) => columns.map((c) => (r[c] === undefined || r[c] === null ? "" : String(r[c]))));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => (row[i] ?? "").length)));
  print(color.bold(columns.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ")));
  for (const row of cells) print(row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("  "));
}

/** A progress bar on stderr when it is a terminal; silent otherwise (scripts, CI). */
export function progress(total: number, label: string) {
  if (!process.stderr.isTTY || total === 0) return { tick: () => {}, stop: () => {} };
  const bar = new SingleBar(
    { format: `${label} [{bar}] {value}/{total}`, stream: process.stderr, hideCursor: true },
    Presets.shades_classic,
  );
  bar.start(total, 0);
  return { tick: () => bar.increment(), stop: () => bar.stop() };
}
