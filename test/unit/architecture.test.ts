import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * The module graph of packages/, functions/, infra/, scripts/ and sst.config.ts, as TypeScript resolves
 * it with tsconfig.json's options: relative imports and the `@vaultops/*` workspace packages (through
 * their node_modules links and package.json exports, to the real files), static, type-only, re-exports
 * and dynamic `import()` alike. The rules: no file cycle anywhere in it, no cycle between its packages
 * and folders, and nothing in packages/ imports from infra/ or scripts/ (infra and scripts may import
 * packages, never the other way).
 */
const root = path.resolve(".");
const folders = ["packages", "functions", "infra", "scripts"];
const sourceFile = /\.(ts|mts|cts|tsx|js|mjs)$/;

function walk(dir: string, out: string[]): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, out);
    else if (sourceFile.test(entry.name)) out.push(full);
  }
  return out;
}

const relative = (file: string) => path.relative(root, file).split(path.sep).join("/");

function compilerOptions(): ts.CompilerOptions {
  const read = ts.readConfigFile(path.join(root, "tsconfig.json"), ts.sys.readFile);
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, "\n"));
  return ts.parseJsonConfigFileContent(read.config, ts.sys, root).options;
}

/** Every module specifier of a file, import/export declarations and `import()` calls alike. */
function specifiers(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
  return info.importedFiles.map((f) => f.fileName);
}

/** File -> the repository files it imports (external packages left out), paths relative to the root. */
function moduleGraph(files: string[], options = compilerOptions()): Map<string, Set<string>> {
  const host = ts.createCompilerHost(options, true);
  const cache = ts.createModuleResolutionCache(root, (f) => f, options);
  const known = new Set(files.map(relative));
  const graph = new Map<string, Set<string>>();
  for (const file of files) {
    const edges = new Set<string>();
    for (const specifier of specifiers(file)) {
      const resolved = ts.resolveModuleName(specifier, file, options, host, cache).resolvedModule;
      if (!resolved) {
        if (specifier.startsWith(".") || specifier.startsWith("@vaultops/"))
          throw new Error(`${relative(file)}: ${specifier} does not resolve`);
        continue;
      }
      // Symlinked workspace packages come back as their real files (preserveSymlinks is off).
      const target = relative(ts.sys.realpath?.(resolved.resolvedFileName) ?? resolved.resolvedFileName);
      if (target.startsWith("..") || target.includes("node_modules/")) continue;
      if (known.has(target) || target === "sst.config.ts") edges.add(target);
    }
    graph.set(relative(file), edges);
  }
  return graph;
}

/** The strongly connected components with more than one file (or a file importing itself), sorted. */
function cycles(graph: Map<string, Set<string>>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string) => {
    index.set(node, counter);
    low.set(node, counter);
    counter++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) as number, low.get(next) as number));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node) as number, index.get(next) as number));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop() as string;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || graph.get(node)?.has(node)) found.push(component.sort());
    }
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return found.sort((a, b) => (a[0] as string).localeCompare(b[0] as string));
}

const files = [...folders.flatMap((folder) => walk(path.join(root, folder), [])), path.join(root, "sst.config.ts")];
const graph = moduleGraph(files);
const edges = [...graph].flatMap(([from, to]) => [...to].map((target) => ({ from, to: target })));

describe("the module graph", () => {
  it("is the whole graph, workspace packages followed to their files", () => {
    expect(graph.size).toBeGreaterThan(150);
    // functions/ reach packages/ only through the @vaultops/* aliases: they are followed.
    expect(edges.some((e) => e.from.startsWith("functions/") && e.to.startsWith("packages/core/src/"))).toBe(true);
    expect(edges.some((e) => e.from.startsWith("infra/") && e.to.startsWith("packages/"))).toBe(true);
  });

  it("finds a cycle when there is one", () => {
    const sample = new Map([
      ["a.ts", new Set(["b.ts"])],
      ["b.ts", new Set(["c.ts"])],
      ["c.ts", new Set(["a.ts"])],
      ["d.ts", new Set(["d.ts", "a.ts"])],
      ["e.ts", new Set(["a.ts"])],
    ]);
    expect(cycles(sample)).toEqual([["a.ts", "b.ts", "c.ts"], ["d.ts"]]);
  });

  it("has no file cycle in packages/, functions/, infra/ or scripts/", () => {
    expect(cycles(graph)).toEqual([]);
  });

  it("has no cycle between the packages and folders either (packages/<name>, functions, infra, scripts)", () => {
    const unit = (file: string) =>
      (file.startsWith("packages/") ? file.split("/").slice(0, 2).join("/") : file.split("/")[0]) as string;
    const between = new Map<string, Set<string>>();
    for (const { from, to } of edges) {
      const targets = between.get(unit(from)) ?? new Set<string>();
      if (unit(to) !== unit(from)) targets.add(unit(to));
      between.set(unit(from), targets);
    }
    expect(cycles(between)).toEqual([]);
  });

  it("keeps packages/ free of imports from infra/ and scripts/", () => {
    const crossings = edges
      .filter((e) => e.from.startsWith("packages/") && /^(infra|scripts)\/|^sst\.config\.ts$/.test(e.to))
      .map((e) => `${e.from} -> ${e.to}`);
    expect(crossings).toEqual([]);
  });
});
