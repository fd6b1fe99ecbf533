import { beforeAll, describe, expect, it } from "vitest";
import type { RehearsalGraph } from "../../packages/dev/src/rehearsal/graph";
import { prepareRehearsal, rehearseStage } from "../../packages/dev/src/rehearsal/rehearsal";
import {
  callsOfRightsTable,
  checkCrons,
  checkHandlers,
  checkNames,
  checkPolicies,
  checkRoutes,
  checkSettings,
  checkTrust,
  functionsOf,
  physicalNames,
} from "../support/rehearsal-checks";

/**
 * The deploy rehearsal (README: Deploy rehearsal): sst.config.ts run by SST's own components under
 * Pulumi's mocks, with the function artifacts SST's builder made, for two stages of infra/stages.ts;
 * the graph Pulumi would create, asserted. The role policies are checked against the calls
 * infra/rights.ts lists (test/rights checks those against the calls the suites record).
 */
let dev: RehearsalGraph;
let production: RehearsalGraph;

beforeAll(async () => {
  await prepareRehearsal();
  [dev, production] = await Promise.all([rehearseStage("dev"), rehearseStage("production")]);
}, 600_000);

const clone = (g: RehearsalGraph): RehearsalGraph => JSON.parse(JSON.stringify(g)) as RehearsalGraph;

describe("the deploy rehearsal (SST's components, offline)", () => {
  it("runs sst.config.ts through SST's run(): every function built through Runtime.Build, the outputs resolved", () => {
    for (const g of [dev, production]) {
      expect(g.rpcCalls).toEqual(["Provider.Aws.Bootstrap", "Runtime.Build"]);
      expect(g.builds).toHaveLength(40);
      expect(g.resources.filter((r) => r.type === "aws:lambda/function:Function")).toHaveLength(g.builds.length);
      expect(String(g.outputs.api)).toMatch(/^https:\/\//);
      expect(g.outputs._protect).toBe(g.stage === "production");
    }
  });

  it.each(["dev", "production"])(
    "%s: every route has its integration, API Gateway's invoke permission and the authorizer its scope needs",
    (stage) => {
      expect(checkRoutes(stage === "dev" ? dev : production)).toEqual([]);
    },
  );

  it.each(["dev", "production"])("%s: every function's handler resolves in the artifact SST built for it", (stage) => {
    expect(checkHandlers(stage === "dev" ? dev : production)).toEqual([]);
  });

  it.each(["dev", "production"])("%s: every role policy covers its kind's calls and grants nothing else", (stage) => {
    expect(checkPolicies(stage === "dev" ? dev : production, callsOfRightsTable(stage))).toEqual([]);
  });

  it.each(["dev", "production"])("%s: crons, table TTL, bucket access block, secrets and alarms", (stage) => {
    const g = stage === "dev" ? dev : production;
    expect(checkCrons(g)).toEqual([]);
    expect(checkSettings(g)).toEqual([]);
  });

  it.each(["dev", "production"])("%s: every function role is assumable by Lambda alone", (stage) => {
    expect(checkTrust(stage === "dev" ? dev : production)).toEqual([]);
  });

  it("fails a role that also trusts the account root (SST 3.19.3's own trust policy)", () => {
    const g = clone(production);
    const role = functionsOf(g)[0]?.role;
    if (!role) throw new Error("no role in the graph");
    role.inputs.assumeRolePolicy = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: "sts:AssumeRole",
          Principal: { Service: ["lambda.amazonaws.com"], AWS: ["arn:aws:iam::123456789012:root"] },
        },
      ],
    });
    expect(checkTrust(g)).toEqual([
      expect.stringMatching(/trusts Service:lambda.amazonaws.com, AWS:arn:aws:iam::123456789012:root/),
    ]);
  });

  it("names every resource after its stage, and two stages share no name", () => {
    expect(checkNames(dev)).toEqual([]);
    expect(checkNames(production)).toEqual([]);
    const devNames = new Set(physicalNames(dev).map((n) => n.name));
    expect(physicalNames(production).filter((n) => devNames.has(n.name))).toEqual([]);
  });
});

describe("the checks bite", () => {
  it("fails a protected route that loses its authorizer", () => {
    const g = clone(dev);
    const route = g.resources.find(
      (r) => r.type === "aws:apigatewayv2/route:Route" && r.inputs.routeKey === "GET /api/v1/vault/metrics",
    );
    if (!route) throw new Error("no GET /api/v1/vault/metrics route");
    route.inputs.authorizationType = "NONE";
    delete route.inputs.authorizerId;
    expect(checkRoutes(g)).toEqual(["GET /api/v1/vault/metrics: protected but no authorizer"]);
  });

  it("fails a function whose rights miss a call its kind makes", () => {
    const g = clone(dev);
    const role = g.resources.find(
      (r) => r.name === `${functionsOf(g).find((f) => f.name === "auth-authorizer")?.functionID}Role`,
    );
    if (!role) throw new Error("no authorizer role");
    role.inputs.inlinePolicies = [{ name: "inline", policy: JSON.stringify({ Version: "2012-10-17", Statement: [] }) }];
    const problems = checkPolicies(g, callsOfRightsTable("dev"));
    expect(problems).toContain(
      "not granted: auth-authorizer (authorizer): secretsmanager:GetSecretValue on secret:api-tokens",
    );
  });

  it("fails a function granted more than its kind uses", () => {
    const g = clone(dev);
    const role = g.resources.find(
      (r) => r.name === `${functionsOf(g).find((f) => f.name === "meta-openapi")?.functionID}Role`,
    );
    if (!role) throw new Error("no meta-openapi role");
    role.inputs.inlinePolicies = [
      { name: "inline", policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] }) },
    ];
    expect(checkPolicies(g, callsOfRightsTable("dev"))).toEqual([
      "meta-fallback: its policy differs from meta-openapi's (same kind static)",
      "granted, never called: static: s3:* on *",
    ]);
  });

  it("fails a handler that does not resolve in its artifact", () => {
    const g = clone(dev);
    const lambda = g.resources.find(
      (r) => r.name === `${functionsOf(g).find((f) => f.name === "vault-health")?.functionID}Function`,
    );
    if (!lambda) throw new Error("no vault-health function");
    lambda.inputs.handler = "health.main";
    expect(checkHandlers(g)).toEqual(["vault-health: health.mjs does not export main"]);
    lambda.inputs.handler = "index.handler";
    expect(checkHandlers(g)[0]).toMatch(/^vault-health: handler index.handler has no module/);
  });
});
