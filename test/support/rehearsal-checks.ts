/**
 * Checks of the deploy rehearsal's graph (packages/dev/src/rehearsal): each returns the problems it
 * finds, so a test can show that a mutated graph fails it.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { authorizerHandler, functionName, routeList, scheduleList } from "@vaultops/api";
import { functionCatalogue } from "@vaultops/build-definition";
import type { RecordedCall } from "@vaultops/core";
import {
  type Grant,
  type ResourceRole,
  type RightsKind,
  rightsKindOf,
  rightsKinds,
  rightsOf,
} from "../../infra/rights";
import { stageSettings } from "../../infra/stages";
import type { RehearsalGraph, RehearsedResource } from "../../packages/dev/src/rehearsal/graph";
import { handlerModule } from "../../packages/dev/src/sst-build";
import { checkRights } from "./rights-check";

const ofType = (g: RehearsalGraph, type: string) => g.resources.filter((r) => r.type === type);
const byName = (g: RehearsalGraph, name: string) => g.resources.find((r) => r.custom && r.name === name);
const arnOf = (r: RehearsedResource | undefined) => r?.state.arn as string | undefined;

export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface RehearsedFunction {
  /** Catalogue name (dist/functions/<name>). */
  name: string;
  functionID: string;
  lambda: RehearsedResource;
  role: RehearsedResource | undefined;
  /** The role's inline policy statements, as SST generated them from `permissions`. */
  statements: Statement[];
  out: string;
}

const list = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Every function SST built, with its Lambda, role and policy. */
export function functionsOf(g: RehearsalGraph): RehearsedFunction[] {
  return g.builds.map((b) => {
    const lambda = byName(g, `${b.functionID}Function`) as RehearsedResource;
    const role = byName(g, `${b.functionID}Role`);
    const policies = (role?.inputs.inlinePolicies ?? []) as Array<{ policy: string }>;
    const statements = policies.flatMap((p) => (JSON.parse(p.policy) as { Statement: Statement[] }).Statement);
    return { name: b.name, functionID: b.functionID, lambda, role, statements, out: b.out };
  });
}

const functionByArn = (g: RehearsalGraph, arn: unknown) =>
  functionsOf(g).find((f) => arnOf(f.lambda) === arn || f.lambda?.state.name === arn);

export interface RehearsedRoute {
  routeKey: string;
  function: string | undefined;
  authorizer: string | undefined;
  authorizerFunction: string | undefined;
  invokable: boolean;
}

/** Every API route: the function its integration calls, its authorizer, and whether API Gateway may invoke it. */
export function routesOf(g: RehearsalGraph): RehearsedRoute[] {
  const permissions = ofType(g, "aws:lambda/permission:Permission");
  return ofType(g, "aws:apigatewayv2/route:Route").map((route) => {
    const integrationId = String(route.inputs.target ?? "").replace(/^integrations\//, "");
    const integration = g.resources.find(
      (r) => r.type === "aws:apigatewayv2/integration:Integration" && `${r.name}-id` === integrationId,
    );
    const fn = integration && functionByArn(g, integration.inputs.integrationUri);
    const authorizer =
      route.inputs.authorizationType === "CUSTOM"
        ? g.resources.find(
            (r) => r.type === "aws:apigatewayv2/authorizer:Authorizer" && `${r.name}-id` === route.inputs.authorizerId,
          )
        : undefined;
    const authorizerFn = authorizer
      ? functionsOf(g).find((f) => String(authorizer.inputs.authorizerUri).includes(String(arnOf(f.lambda))))
      : undefined;
    return {
      routeKey: String(route.inputs.routeKey),
      function: fn?.name,
      authorizer: authorizer?.name,
      authorizerFunction: authorizerFn?.name,
      invokable: permissions.some(
        (p) =>
          p.inputs.principal === "apigateway.amazonaws.com" &&
          p.inputs.action === "lambda:InvokeFunction" &&
          fn !== undefined &&
          p.inputs.function === arnOf(fn.lambda),
      ),
    };
  });
}

/** The route table (packages/api/src/routes.ts) against the routes Pulumi would create. */
export function checkRoutes(g: RehearsalGraph): string[] {
  const problems: string[] = [];
  const routes = routesOf(g);
  const expected = [
    ...routeList.map((r) => ({ key: `${r.method} ${r.path}`, handler: r.handler, auth: r.scope !== "public" })),
    { key: "$default", handler: undefined, auth: false },
  ];
  for (const want of expected) {
    const got = routes.filter((r) => r.routeKey === want.key);
    if (got.length !== 1) {
      problems.push(`${want.key}: ${got.length} routes`);
      continue;
    }
    const route = got[0] as RehearsedRoute;
    if (!route.function) problems.push(`${want.key}: no integration with a function`);
    else if (want.handler && route.function !== functionName(want.handler))
      problems.push(`${want.key}: calls ${route.function}, not ${functionName(want.handler)}`);
    if (!route.invokable) problems.push(`${want.key}: no lambda:InvokeFunction permission for API Gateway`);
    if (want.auth && route.authorizerFunction !== functionName(authorizerHandler))
      problems.push(
        `${want.key}: protected but ${route.authorizer ? "its authorizer is not auth-authorizer" : "no authorizer"}`,
      );
    if (!want.auth && route.authorizer) problems.push(`${want.key}: public but has authorizer ${route.authorizer}`);
  }
  for (const r of routes)
    if (!expected.some((e) => e.key === r.routeKey)) problems.push(`${r.routeKey}: not in the route table`);
  for (const authorizer of ofType(g, "aws:apigatewayv2/authorizer:Authorizer")) {
    const fn = functionsOf(g).find((f) => String(authorizer.inputs.authorizerUri).includes(String(arnOf(f.lambda))));
    const allowed = ofType(g, "aws:lambda/permission:Permission").some(
      (p) => p.inputs.principal === "apigateway.amazonaws.com" && fn && p.inputs.function === arnOf(fn.lambda),
    );
    if (!allowed) problems.push(`authorizer ${authorizer.name}: API Gateway may not invoke its function`);
  }
  return problems;
}

/** Export names of an ES module as esbuild writes them, following `export * from` re-exports. */
function exportsOf(file: string, seen = new Set<string>()): Set<string> {
  const names = new Set<string>();
  if (seen.has(file) || !existsSync(file)) return names;
  seen.add(file);
  const code = readFileSync(file, "utf8");
  for (const m of code.matchAll(/export\s*\{([^}]*)\}/g))
    for (const part of (m[1] ?? "").split(",")) {
      const name = part
        .trim()
        .split(/\s+as\s+/)
        .pop()
        ?.trim();
      if (name) names.add(name);
    }
  for (const m of code.matchAll(/export\s+(?:async\s+)?(?:const|let|var|function\*?|class)\s+([A-Za-z_$][\w$]*)/g))
    names.add(m[1] as string);
  for (const m of code.matchAll(/export\s*\*\s*from\s*["'](\.[^"']+)["']/g))
    for (const n of exportsOf(path.join(path.dirname(file), m[1] as string), seen)) names.add(n);
  return names;
}

/** Every Lambda's handler resolves in the artifact SST built for it: the file exists and exports the function. */
export function checkHandlers(g: RehearsalGraph): string[] {
  const problems: string[] = [];
  for (const f of functionsOf(g)) {
    const handler = String(f.lambda?.inputs.handler ?? "");
    const file = handlerModule(f.out, handler);
    const exported = handler.slice(handler.lastIndexOf(".") + 1);
    if (!file) problems.push(`${f.name}: handler ${handler} has no module in ${f.out}`);
    else if (!exportsOf(file).has(exported))
      problems.push(`${f.name}: ${path.basename(file)} does not export ${exported}`);
  }
  const built = new Set(g.builds.map((b) => b.name));
  for (const spec of functionCatalogue) if (!built.has(spec.name)) problems.push(`${spec.name}: never built by SST`);
  return problems;
}

/** A policy statement as a grant of infra/rights.ts: its resource role read back from the stage's ARNs. */
export function grantsOf(g: RehearsalGraph, statements: Statement[]): Grant[] {
  const stage = stageSettings(g.stage);
  const arn = (type: string, name?: string) =>
    g.resources.find((r) => r.type === type && (name === undefined || r.name === name))?.state.arn;
  const roles = new Map<unknown, ResourceRole>([
    [arn("aws:dynamodb/table:Table"), "table"],
    [arn("aws:secretsmanager/secret:Secret", "VaultCredentials"), "secret:vault-credentials"],
    [arn("aws:secretsmanager/secret:Secret", "ApiTokens"), "secret:api-tokens"],
    [`${String(arn("aws:s3/bucketV2:BucketV2"))}/snapshots/*`, "bucket:snapshots"],
    [arn("aws:kms/key:Key", "SnapshotKey"), "key:snapshots"],
  ]);
  const roleOf = (resource: string, s: Statement): ResourceRole | `unknown:${string}` => {
    const known = roles.get(resource);
    if (known) return known;
    if (resource.endsWith(`:secret:${stage.secretsPrefix}/*`)) return "secret:config";
    if (/^arn:aws:events:[^:]+:\d+:event-bus\/default$/.test(resource)) return "bus";
    if (resource === "*")
      return s.Condition?.StringEquals?.["cloudwatch:namespace"] === stage.metricsNamespace ? "namespace" : "*";
    return `unknown:${resource}`;
  };
  return statements.flatMap((s) =>
    list(s.Resource).map((resource) => {
      const keys = s.Condition?.["ForAllValues:StringLike"]?.["dynamodb:LeadingKeys"];
      return {
        actions: list(s.Action),
        resource: roleOf(resource, s) as ResourceRole,
        ...(keys ? { leadingKeys: list(keys) as Grant["leadingKeys"] } : {}),
      };
    }),
  );
}

/** The calls infra/rights.ts says each kind makes on `stage` (one per granted action and key class). */
export function callsOfRightsTable(stage: string): RecordedCall[] {
  const settings = stageSettings(stage);
  return Object.entries(rightsKinds).flatMap(([kind, entry]) =>
    rightsOf(kind as RightsKind, settings).flatMap((grant) =>
      grant.actions.flatMap((action) => {
        const [service = "", name = ""] = action.split(":");
        const base = { fn: entry.functions[0] as string, service, action: name, resource: grant.resource };
        return grant.leadingKeys?.length
          ? grant.leadingKeys.map((k) => ({ ...base, leadingKeys: [k] }) as unknown as RecordedCall)
          : [base as unknown as RecordedCall];
      }),
    ),
  );
}

/**
 * The role policies SST generated, read back as grants per kind, against `calls` (test/support/rights-check.ts):
 * every call covered, nothing granted that no call of the kind uses, every function of a kind the same policy,
 * every statement on a resource of the stage.
 */
export function checkPolicies(g: RehearsalGraph, calls: RecordedCall[]): string[] {
  const problems: string[] = [];
  const kinds: Record<string, { functions: string[]; rights: Grant[] }> = {};
  for (const f of functionsOf(g)) {
    const kind = rightsKindOf(f.name);
    const grants = grantsOf(g, f.statements);
    for (const grant of grants)
      if (String(grant.resource).startsWith("unknown:")) problems.push(`${f.name}: a statement on ${grant.resource}`);
    const entry = kinds[kind];
    if (!entry) kinds[kind] = { functions: [f.name], rights: grants };
    else {
      if (JSON.stringify(entry.rights) !== JSON.stringify(grants))
        problems.push(`${f.name}: its policy differs from ${entry.functions[0]}'s (same kind ${kind})`);
      entry.functions.push(f.name);
    }
  }
  const { uncovered, unused } = checkRights(calls, kinds);
  problems.push(...uncovered.map((u) => `not granted: ${u}`), ...unused.map((u) => `granted, never called: ${u}`));
  return problems;
}

/** Every function role may be assumed by Lambda and by nothing else (no account root, no other service). */
export function checkTrust(g: RehearsalGraph): string[] {
  const problems: string[] = [];
  for (const f of functionsOf(g)) {
    const policy = f.role?.inputs.assumeRolePolicy;
    const document = (typeof policy === "string" ? JSON.parse(policy) : policy) as
      | { Statement?: Array<{ Effect?: string; Action?: string | string[]; Principal?: Record<string, unknown> }> }
      | undefined;
    const principals = (document?.Statement ?? []).flatMap((st) =>
      Object.entries(st.Principal ?? {}).flatMap(([type, ids]) =>
        list(ids as string | string[]).map((id) => `${type}:${id}`),
      ),
    );
    if (JSON.stringify(principals) !== JSON.stringify(["Service:lambda.amazonaws.com"]))
      problems.push(`${f.name}: its role trusts ${principals.join(", ") || "nothing readable"}`);
  }
  return problems;
}

/** Each schedule job: an EventBridge rule with its rate, targeting its function, allowed to invoke it. */
export function checkCrons(g: RehearsalGraph): string[] {
  const problems: string[] = [];
  const rules = ofType(g, "aws:cloudwatch/eventRule:EventRule");
  const targets = ofType(g, "aws:cloudwatch/eventTarget:EventTarget");
  const permissions = ofType(g, "aws:lambda/permission:Permission");
  for (const job of scheduleList) {
    const fn = functionsOf(g).find((f) => f.name === functionName(job.handler));
    const target = targets.find((t) => fn && t.inputs.arn === arnOf(fn.lambda));
    const rule = rules.find((r) => target && r.state.name === target.inputs.rule);
    if (!fn || !target || !rule) {
      problems.push(`${job.id}: no rule targeting ${functionName(job.handler)}`);
      continue;
    }
    if (rule.inputs.scheduleExpression !== job.expression)
      problems.push(`${job.id}: schedule ${String(rule.inputs.scheduleExpression)}, not ${job.expression}`);
    if (
      !permissions.some(
        (p) =>
          p.inputs.principal === "events.amazonaws.com" &&
          p.inputs.function === arnOf(fn.lambda) &&
          p.inputs.sourceArn === arnOf(rule),
      )
    )
      problems.push(`${job.id}: EventBridge may not invoke ${fn.name}`);
  }
  if (rules.length !== scheduleList.length) problems.push(`${rules.length} rules for ${scheduleList.length} jobs`);
  return problems;
}

/** Table TTL, bucket public access block, secrets' recovery and rotation, alarms' actions. */
export function checkSettings(g: RehearsalGraph): string[] {
  const problems: string[] = [];
  const stage = stageSettings(g.stage);
  const tables = ofType(g, "aws:dynamodb/table:Table");
  for (const t of tables)
    if (JSON.stringify(t.inputs.ttl) !== JSON.stringify({ attributeName: "expiresAt", enabled: true }))
      problems.push(`table ${t.name}: TTL ${JSON.stringify(t.inputs.ttl)}`);
  const buckets = ofType(g, "aws:s3/bucketV2:BucketV2");
  for (const b of buckets) {
    const block = ofType(g, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").find(
      (p) => p.inputs.bucket === b.state.bucket,
    );
    for (const key of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"])
      if (block?.inputs[key] !== true) problems.push(`bucket ${b.name}: ${key} not true`);
  }
  for (const s of ofType(g, "aws:secretsmanager/secret:Secret")) {
    const want = g.stage === "production" ? undefined : 0;
    if (s.inputs.recoveryWindowInDays !== want)
      problems.push(`secret ${s.name}: recoveryWindowInDays ${String(s.inputs.recoveryWindowInDays)}`);
  }
  const rotations = ofType(g, "aws:secretsmanager/secretRotation:SecretRotation");
  if (rotations.length !== (stage.credentialRotation ? 1 : 0)) problems.push(`${rotations.length} secret rotations`);
  for (const r of rotations) {
    const fn = functionsOf(g).find((f) => arnOf(f.lambda) === r.inputs.rotationLambdaArn);
    if (fn?.name !== "jobs-credential-rotation") problems.push(`rotation ${r.name}: rotated by ${fn?.name}`);
    if ((r.inputs.rotationRules as { automaticallyAfterDays?: number })?.automaticallyAfterDays !== 30)
      problems.push(`rotation ${r.name}: not every 30 days`);
  }
  const incident = functionsOf(g).find((f) => f.name === "alarms-incident");
  const alarmPermissions = ofType(g, "aws:lambda/permission:Permission").filter(
    (p) => p.inputs.principal === "lambda.alarms.cloudwatch.amazonaws.com",
  );
  for (const a of ofType(g, "aws:cloudwatch/metricAlarm:MetricAlarm")) {
    for (const key of ["alarmActions", "okActions"])
      if (JSON.stringify(a.inputs[key]) !== JSON.stringify([arnOf(incident?.lambda)]))
        problems.push(`alarm ${a.name}: ${key} ${JSON.stringify(a.inputs[key])}`);
    if (
      !alarmPermissions.some(
        (p) => p.inputs.sourceArn === arnOf(a) && p.inputs.function === incident?.lambda.state.name,
      )
    )
      problems.push(`alarm ${a.name}: may not invoke the incident function`);
  }
  return problems;
}

/** Physical names: `name` and `dashboardName` of every resource, a bucket's `bucket` (API Gateway's `$default` stage aside). */
export function physicalNames(g: RehearsalGraph): Array<{ resource: string; name: string }> {
  const names: Array<{ resource: string; name: string }> = [];
  for (const r of g.resources) {
    if (!r.custom) continue;
    const keys = r.type === "aws:s3/bucketV2:BucketV2" ? ["bucket"] : ["name", "dashboardName"];
    for (const key of keys) {
      const value = key === "bucket" ? r.state.bucket : r.inputs[key];
      if (typeof value === "string" && !(r.type === "aws:apigatewayv2/stage:Stage" && value === "$default"))
        names.push({ resource: `${r.type} ${r.name}`, name: value });
    }
  }
  return names;
}

export function checkNames(g: RehearsalGraph): string[] {
  return physicalNames(g)
    .filter((n) => !n.name.includes(`-${g.stage}-`) && !n.name.endsWith(`-${g.stage}`))
    .map((n) => `${n.resource}: ${n.name} does not carry the stage`);
}
