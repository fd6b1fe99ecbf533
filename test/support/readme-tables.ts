import { readFileSync } from "node:fs";

/**
 * The rows of the README table whose header row starts with `| <firstHeader> |`, as objects keyed by
 * the header cells (backticks removed). The README is the contract: tests hold code to its tables.
 */
export function readmeTable<Column extends string = string>(
  firstHeader: string,
  file = "README.md",
): Array<Record<Column, string>> {
  const lines = readFileSync(file, "utf8").split("\n");
  const start = lines.findIndex((l) => new RegExp(`^\\s*\\|\\s*${firstHeader}\\s*\\|`).test(l));
  if (start < 0) throw new Error(`README has no table starting with | ${firstHeader} |`);
  const cells = (line: string) =>
    line
      .trim()
      .replace(/^\||\|$/g, "")
      .split(/(?<!\\)\|/)
      .map((c) => c.trim().replace(/\\\|/g, "|"));
  const headers = cells(lines[start] as string);
  const rows: Array<Record<Column, string>> = [];
  for (const line of lines.slice(start + 2)) {
    if (!/^\s*\|/.test(line)) break;
    const values = cells(line);
    rows.push(
      Object.fromEntries(headers.map((h, i) => [h, (values[i] ?? "").replace(/`/g, "")])) as Record<Column, string>,
    );
  }
  return rows;
}
