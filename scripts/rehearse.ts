/**
 * `npm run rehearse [stage...]`: the deploy rehearsal (README: Deploy rehearsal). sst.config.ts run by
 * SST's own components under Pulumi's mocks, offline, for each stage (default: every stage of
 * infra/stages.ts); prints the resources per type, runs the graph checks (test/support/rehearsal-checks.ts)
 * and writes .vaultops/rehearsal.md. Exits 1 when a check fails.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { stages } from "../infra/stages";
import { repoRoot, stateDir } from "../packages/dev/src/paths";
import type { RehearsalGraph } from "../packages/dev/src/rehearsal/graph";
import { prepareRehearsal, rehearseStage } from "../packages/dev/src/rehearsal/rehearsal";
import {
  callsOfRightsTable,
  checkCrons,
  checkHandlers,
  checkNames,
  checkPolicies,
  checkRoutes,
  checkSettings,
  functionsOf,
  grantsOf,
  physicalNames,
  routesOf,
} from "../test/support/rehearsal-checks";
import { callLogFile, readCalls } from "../test/support/rights-check";

const countsOf = (g: RehearsalGraph) => {
  const counts = new Map<string, number>();
  for (const r of g.resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
  return [...counts].sort(([a], [b]) => a.localeCompare(b));
};

function checks(g: RehearsalGraph): Array<[string, string[]]> {
  const result: Array<[string, string[]]> = [
    ["routes", checkRoutes(g)],
    ["handlers", checkHandlers(g)],
    ["role policies against infra/rights.ts", checkPolicies(g, callsOfRightsTable(g.stage))],
    ["crons", checkCrons(g)],
    ["settings", checkSettings(g)],
    ["names", checkNames(g)],
  ];
  // The calls the suites recorded (.vaultops/aws-calls.jsonl, any run of them) against the policies SST
  // generated: a call no statement allows fails. Rights no call used are test/rights' business after a full `npm test`.
  if (existsSync(callLogFile))
    result.push([
      "role policies against recorded calls",
      checkPolicies(g, readCalls()).filter((p) => !p.startsWith("granted, never called")),
    ]);
  return result;
}

function report(graphs: RehearsalGraph[], results: Map<string, Array<[string, string[]]>>): string {
  const lines = ["# Deploy rehearsal", "", `Written by \`npm run rehearse\` on ${new Date().toISOString()}.`, ""];
  for (const g of graphs) {
    lines.push(`## Stage ${g.stage}`, "", `${g.resources.length} resources.`, "", "| type | count |", "| --- | ---: |");
    for (const [type, n] of countsOf(g)) lines.push(`| \`${type}\` | ${n} |`);
    lines.push("", "### Checks", "");
    for (const [name, problems] of results.get(g.stage) ?? [])
      lines.push(
        `- ${name}: ${problems.length === 0 ? "ok" : `${problems.length} problems`}`,
        ...problems.map((p) => `  - ${p}`),
      );
    lines.push("", "### Routes", "", "| route | function | authorizer |", "| --- | --- | --- |");
    for (const r of routesOf(g).sort((a, b) => a.routeKey.localeCompare(b.routeKey)))
      lines.push(`| \`${r.routeKey}\` | ${r.function ?? "-"} | ${r.authorizerFunction ?? "-"} |`);
    lines.push(
      "",
      "### Functions",
      "",
      "| function | memory | timeout | handler | env keys | rights |",
      "| --- | ---: | ---: | --- | --- | --- |",
    );
    for (const f of functionsOf(g).sort((a, b) => a.name.localeCompare(b.name))) {
      const env = Object.keys((f.lambda.inputs.environment as { variables?: object })?.variables ?? {}).sort();
      const rights = grantsOf(g, f.statements).map(
        (grant) =>
          `${grant.actions.join(" ")} on ${grant.resource}${grant.leadingKeys ? ` [${grant.leadingKeys.join(" ")}]` : ""}`,
      );
      lines.push(
        `| ${f.name} | ${String(f.lambda.inputs.memorySize)} MB | ${String(f.lambda.inputs.timeout)} s | \`${String(f.lambda.inputs.handler)}\` | ${env.join(", ")} | ${rights.join("<br>") || "none"} |`,
      );
    }
    lines.push("");
  }
  return `${lines.join("\n")}\n`;
}

async function main() {
  const wanted = process.argv.slice(2);
  const names = wanted.length > 0 ? wanted : Object.keys(stages);
  await prepareRehearsal((line) => process.stderr.write(`${line}\n`));
  const graphs: RehearsalGraph[] = [];
  for (const stage of names) {
    const started = Date.now();
    graphs.push(await rehearseStage(stage));
    process.stderr.write(`[rehearse] ${stage}: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  }
  const results = new Map(graphs.map((g) => [g.stage, checks(g)]));
  let failed = 0;
  for (const g of graphs) {
    process.stdout.write(`\nstage ${g.stage}: ${g.resources.length} resources\n`);
    for (const [type, n] of countsOf(g)) process.stdout.write(`  ${String(n).padStart(4)}  ${type}\n`);
    for (const [name, problems] of results.get(g.stage) ?? []) {
      process.stdout.write(`  ${problems.length === 0 ? "ok  " : "FAIL"}  ${name}\n`);
      for (const p of problems) process.stdout.write(`        ${p}\n`);
      failed += problems.length;
    }
  }
  for (let i = 0; i < graphs.length; i++)
    for (let j = i + 1; j < graphs.length; j++) {
      const a = graphs[i] as RehearsalGraph;
      const b = graphs[j] as RehearsalGraph;
      const seen = new Set(physicalNames(a).map((n) => n.name));
      const shared = physicalNames(b).filter((n) => seen.has(n.name));
      for (const n of shared) process.stdout.write(`FAIL  ${a.stage} and ${b.stage} share the name ${n.name}\n`);
      failed += shared.length;
    }
  mkdirSync(stateDir, { recursive: true });
  const file = path.join(stateDir, "rehearsal.md");
  writeFileSync(file, report(graphs, results));
  process.stdout.write(
    `\n${path.relative(repoRoot, file)} written; ${failed === 0 ? "every check passed" : `${failed} problems`}\n`,
  );
  process.exit(failed === 0 ? 0 : 1);
}

main().catch((error) => {
  process.stderr.write(`rehearsal failed: ${(error as Error).message}\n`);
  process.exit(1);
});
