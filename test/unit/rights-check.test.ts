import type { RecordedCall } from "@vaultops/core";
import { describe, expect, it } from "vitest";
import type { Grant } from "../../infra/rights";
import { checkRights } from "../support/rights-check";

/** The rights test's comparison, on made-up calls: it fails when a grant is removed or a call added. */
const rights: Grant[] = [
  { actions: ["dynamodb:GetItem"], resource: "table", leadingKeys: ["cache", "cache#*"] },
  { actions: ["secretsmanager:GetSecretValue"], resource: "secret:vault-credentials" },
];
const kinds = { "config-read": { functions: ["config-get"], rights } };
const calls: RecordedCall[] = [
  { fn: "config-get", service: "dynamodb", action: "GetItem", resource: "table", leadingKeys: ["cache"] },
  { fn: "config-get", service: "dynamodb", action: "GetItem", resource: "table", leadingKeys: ["cache#*"] },
  { fn: "config-get", service: "secretsmanager", action: "GetSecretValue", resource: "secret:vault-credentials" },
  // Set-up outside a function, and a call on a resource the deploy does not have: not judged.
  { fn: "unattributed", service: "dynamodb", action: "CreateTable", resource: "table:other" },
  { fn: "config-get", service: "secretsmanager", action: "DescribeSecret", resource: "secret:other" },
];

describe("checkRights", () => {
  it("passes when every call is granted and every grant used", () => {
    expect(checkRights(calls, kinds)).toEqual({ uncovered: [], unused: [] });
  });

  it("reports the call a removed grant no longer covers", () => {
    const without = { "config-read": { functions: ["config-get"], rights: rights.slice(0, 1) } };
    expect(checkRights(calls, without).uncovered).toEqual([
      "config-get (config-read): secretsmanager:GetSecretValue on secret:vault-credentials",
    ]);
  });

  it("reports a new call, a call on another key class, and a function without a kind", () => {
    const more: RecordedCall[] = [
      ...calls,
      { fn: "config-get", service: "s3", action: "GetObject", resource: "bucket:snapshots" },
      { fn: "config-get", service: "dynamodb", action: "GetItem", resource: "table", leadingKeys: ["audit#*"] },
      { fn: "snapshots-get", service: "dynamodb", action: "GetItem", resource: "table", leadingKeys: ["snapshots"] },
    ];
    expect(checkRights(more, kinds).uncovered).toEqual([
      "config-get (config-read): dynamodb:GetItem on table [audit#*]",
      "config-get (config-read): s3:GetObject on bucket:snapshots",
      "snapshots-get (no kind): dynamodb:GetItem on table [snapshots]",
    ]);
  });

  it("reports a grant, or a key class, no function of the kind used", () => {
    const wider = {
      "config-read": {
        functions: ["config-get"],
        rights: [
          { ...rights[0], leadingKeys: ["cache", "cache#*", "health"] } as Grant,
          rights[1] as Grant,
          { actions: ["events:PutEvents"], resource: "bus" } as Grant,
        ],
      },
    };
    expect(checkRights(calls, wider).unused).toEqual([
      "config-read: dynamodb:GetItem on table [health]",
      "config-read: events:PutEvents on bus",
    ]);
  });
});
