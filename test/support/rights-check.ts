import { readFileSync } from "node:fs";
import type { RecordedCall } from "@vaultops/core";
import type { Grant, RightsKind } from "../../infra/rights";

/** Where the suites record every AWS call a function makes (vitest.config.ts). */
export const callLogFile = `${process.cwd()}/.vaultops/aws-calls.jsonl`;

export function readCalls(file = callLogFile): RecordedCall[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as RecordedCall);
}

/**
 * Calls the rights say nothing about: made outside any function (test set-up, `unattributed`), or on a
 * resource the deploy does not have (`secret:other`: a test's unknown secret, refused in AWS too).
 */
export const judged = (call: RecordedCall): boolean => call.fn !== "unattributed" && !call.resource.endsWith(":other");

const covers = (grant: Grant, call: RecordedCall): boolean =>
  grant.actions.includes(`${call.service}:${call.action}`) &&
  grant.resource === call.resource &&
  (call.leadingKeys ?? []).every((k) => (grant.leadingKeys ?? []).includes(k as never));

/**
 * Recorded calls against the rights of each function's kind: `uncovered` lists the calls no grant of
 * the function's kind allows (a right missing: the call fails in AWS); `unused` lists what a kind is
 * granted that no function of the kind was seen to do (a right too many).
 */
export function checkRights(
  calls: RecordedCall[],
  kinds: Record<string, { functions: string[]; rights: Grant[] }>,
): { uncovered: string[]; unused: string[] } {
  const kindOf = new Map<string, RightsKind>();
  for (const [kind, entry] of Object.entries(kinds))
    for (const fn of entry.functions) kindOf.set(fn, kind as RightsKind);
  const uncovered = new Set<string>();
  const seen = calls.filter(judged);
  for (const call of seen) {
    const kind = kindOf.get(call.fn);
    const describe = `${call.fn} (${kind ?? "no kind"}): ${call.service}:${call.action} on ${call.resource}${call.leadingKeys ? ` [${call.leadingKeys.join(", ")}]` : ""}`;
    if (!kind || !kinds[kind]?.rights.some((g) => covers(g, call))) uncovered.add(describe);
  }
  const unused = new Set<string>();
  for (const [kind, entry] of Object.entries(kinds)) {
    const made = seen.filter((c) => entry.functions.includes(c.fn));
    for (const grant of entry.rights) {
      for (const action of grant.actions) {
        const withAction = made.filter((c) => `${c.service}:${c.action}` === action && c.resource === grant.resource);
        if (withAction.length === 0) unused.add(`${kind}: ${action} on ${grant.resource}`);
        for (const key of grant.leadingKeys ?? [])
          if (withAction.length > 0 && !withAction.some((c) => c.leadingKeys?.includes(key)))
            unused.add(`${kind}: ${action} on ${grant.resource} [${key}]`);
      }
    }
  }
  return { uncovered: [...uncovered].sort(), unused: [...unused].sort() };
}
