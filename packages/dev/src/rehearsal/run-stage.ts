/**
 * One stage of the deploy rehearsal, in a process of its own (Pulumi's runtime state is per process):
 * sst.config.ts bundled as `sst deploy` bundles it (SST's pkg/js Build options: `$app`, `$cli` and
 * `$dev` defined, platform/src/shim/run.js injected for the `$` globals, `aws` and `sst` imported into
 * every file of ours), SST's own `run()` (platform/src/auto/run.ts) evaluated under
 * `pulumi.runtime.setMocks`, and SST's CLI RPC server stood up on loopback: `Runtime.Build` answers with
 * what SST's builder wrote for the function (dist/functions/<name>, `npm run build`), `Provider.Aws.Bootstrap`
 * with a bootstrap bucket. Writes every resource Pulumi would register (type, name, inputs) to argv[3].
 *
 * Usage (packages/dev/src/rehearsal/rehearsal.ts spawns it): tsx run-stage.ts <stage> <out.json>
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { repoRoot } from "../paths";
import { outRoot, readManifest } from "../sst-build";
import { platformDir } from "../sst-platform";
import { account, mockArn, type RehearsalGraph, type RehearsedResource, region } from "./graph";

const [stage, outFile] = process.argv.slice(2);
if (!stage || !outFile) throw new Error("usage: run-stage.ts <stage> <out.json>");

const platformRequire = createRequire(path.join(platformDir, "package.json"));
/** The part of @pulumi/pulumi (SST's copy, in .sst/platform/node_modules) the rehearsal uses. */
interface Pulumi {
  runtime: {
    setMocks(
      mocks: {
        newResource(args: { type: string; name: string; inputs: Record<string, unknown>; custom?: boolean }): {
          id: string;
          state: Record<string, unknown>;
        };
        call(args: { token: string; inputs: Record<string, unknown> }): Record<string, unknown>;
      },
      project: string,
      stack: string,
      dryRun: boolean,
    ): void;
    runInPulumiStack(init: () => Promise<unknown>): Promise<unknown>;
    waitForRPCs?(): Promise<void>;
  };
  output(value: unknown): { apply(fn: (value: unknown) => unknown): unknown };
}
const pulumi = platformRequire("@pulumi/pulumi") as Pulumi;
const esbuild = platformRequire("esbuild") as typeof import("esbuild");

/** `$cli.paths.work`: where SST zips each function (artifacts/<name>/code.zip); this process's own. */
const workDir = path.join(repoRoot, ".vaultops", "rehearsal", `${stage}-work-${process.pid}`);
rmSync(workDir, { recursive: true, force: true });
mkdirSync(workDir, { recursive: true });

const resources: RehearsedResource[] = [];
const builds: RehearsalGraph["builds"] = [];
const policyDocuments: RehearsalGraph["policyDocuments"] = [];
const rpcCalls: string[] = [];

/** What the AWS provider would compute, enough for the outputs SST and our infra read. */
function computed(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
  const physical = typeof inputs.name === "string" ? inputs.name : `${name.toLowerCase()}-${stage}`;
  const out: Record<string, unknown> = { arn: mockArn(type, physical), name: physical };
  if (type === "aws:lambda/function:Function")
    out.invokeArn = `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${out.arn}/invocations`;
  if (type === "aws:apigatewayv2/api:Api") {
    out.apiEndpoint = `https://${name.toLowerCase()}.execute-api.${region}.amazonaws.com`;
    out.executionArn = `arn:aws:execute-api:${region}:${account}:${name.toLowerCase()}`;
  }
  if (type === "aws:s3/bucketV2:BucketV2" || type === "aws:s3/bucket:Bucket") {
    out.bucket = inputs.bucket ?? physical;
    out.bucketDomainName = `${physical}.s3.amazonaws.com`;
  }
  if (type === "aws:cloudwatch/dashboard:Dashboard") out.dashboardName = inputs.dashboardName;
  return out;
}

/** aws.iam.getPolicyDocument as the provider renders it (the statements SST generated, as IAM JSON). */
function policyJson(statements: Array<Record<string, unknown>>): string {
  const list = (v: unknown) => (Array.isArray(v) && v.length === 1 ? v[0] : v);
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: statements.map((s) => ({
      Effect: s.effect ?? "Allow",
      ...(s.actions ? { Action: list(s.actions) } : {}),
      ...(s.resources ? { Resource: list(s.resources) } : {}),
      ...(s.principals
        ? {
            Principal: Object.fromEntries(
              (s.principals as Array<{ type: string; identifiers: string[] }>).map((p) => [
                p.type,
                list(p.identifiers),
              ]),
            ),
          }
        : {}),
      ...(s.conditions
        ? {
            Condition: Object.fromEntries(
              (s.conditions as Array<{ test: string; variable: string; values: string[] }>).map((c) => [
                c.test,
                { [c.variable]: list(c.values) },
              ]),
            ),
          }
        : {}),
    })),
  });
}

pulumi.runtime.setMocks(
  {
    newResource(args) {
      const state = args.custom ? { ...args.inputs, ...computed(args.type, args.name, args.inputs) } : args.inputs;
      resources.push({
        type: args.type,
        name: args.name,
        custom: args.custom ?? true,
        inputs: JSON.parse(JSON.stringify(args.inputs ?? {})),
        state: JSON.parse(JSON.stringify(state ?? {})),
      });
      return { id: `${args.name}-id`, state };
    },
    call(args) {
      switch (args.token) {
        case "aws:index/getRegion:getRegion":
          return { id: region, name: region, region, description: region, endpoint: `ec2.${region}.amazonaws.com` };
        case "aws:index/getCallerIdentity:getCallerIdentity":
          return {
            id: account,
            accountId: account,
            arn: `arn:aws:iam::${account}:user/rehearsal`,
            userId: "REHEARSAL",
          };
        case "aws:index/getPartition:getPartition":
          return { id: "aws", partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" };
        case "aws:iam/getPolicyDocument:getPolicyDocument": {
          const statements = (args.inputs.statements ?? []) as Array<Record<string, unknown>>;
          const json = policyJson(statements);
          policyDocuments.push({ statements: JSON.parse(JSON.stringify(statements)), json });
          return { ...args.inputs, id: "policy", json };
        }
        default:
          return args.inputs;
      }
    },
  },
  "vaultops",
  stage,
  false,
);

/** SST's CLI server: the methods SST's components call over `SST_SERVER` (components/rpc/rpc.ts). */
const manifest = readManifest();
const rpcMethods: Record<string, (input: Record<string, unknown>) => unknown> = {
  "Runtime.Build": (input) => {
    const built = manifest.functions.find((f) => f.source === input.handler);
    if (!built)
      return {
        out: "",
        handler: "",
        errors: [`${String(input.handler)} is not in dist/functions/manifest.json: run npm run build`],
        sourcemaps: [],
      };
    const out = path.join(repoRoot, built.dir);
    builds.push({
      functionID: String(input.functionID),
      name: built.name,
      source: built.source,
      out,
      handler: built.handler,
    });
    return { out, handler: built.handler, errors: [], sourcemaps: [] };
  },
  "Provider.Aws.Bootstrap": () => ({
    asset: `sst-asset-rehearsal-${account}`,
    assetEcrRegistryId: account,
    assetEcrUrl: `${account}.dkr.ecr.${region}.amazonaws.com/sst-asset`,
    state: `sst-state-rehearsal-${account}`,
    appsyncHttp: "",
    appsyncRealtime: "",
  }),
};
const server = http.createServer((req, res) => {
  let body = "";
  req.on("data", (chunk: Buffer) => {
    body += chunk.toString();
  });
  req.on("end", () => {
    const { method, params } = JSON.parse(body) as { method: string; params: [Record<string, unknown>] };
    rpcCalls.push(method);
    const handler = rpcMethods[method];
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify(
        handler ? { result: handler(params[0]), error: null } : { result: null, error: `rpc: can't find ${method}` },
      ),
    );
  });
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
process.env.SST_SERVER = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

/** `$app` as SST's CLI passes it: sst.config.ts's app() for the stage (pkg/project's App). */
(globalThis as Record<string, unknown>).$config = (config: unknown) => config;
const configModule = (await import(pathToFileURL(path.join(repoRoot, "sst.config.ts")).href)) as {
  default: { app(input: { stage: string }): Record<string, unknown> };
};
const appConfig = await configModule.default.app({ stage });
const app = {
  name: appConfig.name,
  stage,
  removal: appConfig.removal ?? "retain",
  providers: appConfig.providers ?? { [String(appConfig.home)]: {} },
  home: appConfig.home,
  version: "",
  protect: appConfig.protect ?? false,
  watch: null,
};
const cli = {
  command: "deploy",
  dev: false,
  paths: { home: path.join(workDir, "home"), root: repoRoot, work: workDir, platform: platformDir },
  state: { version: {} },
};

const bundleFile = path.join(platformDir, `sst.config.rehearsal-${stage}-${process.pid}.mjs`);
const globals = [
  'import * as aws from "@pulumi/aws";',
  `import * as sst from "${path.join(platformDir, "src/components")}";`,
].join("\n");
try {
  await esbuild.build({
    banner: {
      js: [
        "import { createRequire as topLevelCreateRequire } from 'module';",
        "const require = topLevelCreateRequire(import.meta.url);",
        'import { fileURLToPath as topLevelFileUrlToPath, URL as topLevelURL } from "url"',
        "const __filename = topLevelFileUrlToPath(import.meta.url)",
        'const __dirname = topLevelFileUrlToPath(new topLevelURL(".", import.meta.url))',
      ].join("\n"),
    },
    mainFields: ["module", "main"],
    format: "esm",
    platform: "node",
    stdin: {
      contents: `import { run } from "${path.join(platformDir, "src/auto/run.ts")}";\nimport mod from "${path.join(repoRoot, "sst.config.ts")}";\nconst result = await run(mod.run);\nexport default result;\n`,
      resolveDir: repoRoot,
      sourcefile: "eval.ts",
      loader: "ts",
    },
    nodePaths: [path.join(platformDir, "node_modules")],
    plugins: [
      {
        name: "InjectGlobals",
        setup(build) {
          build.onLoad({ filter: /\.(js|ts|jsx|tsx)$/ }, (args) => {
            if (args.path.startsWith(path.join(repoRoot, ".sst"))) return undefined;
            const contents = readFileSync(args.path, "utf8");
            return { contents: `${globals}\n${contents}`, loader: "default" };
          });
        },
      },
    ],
    external: [
      "@pulumi/*",
      "undici",
      "@pulumiverse/*",
      "@sst-provider/*",
      "@aws-sdk/*",
      "esbuild",
      "archiver",
      "glob",
      "vite",
    ],
    define: { $app: JSON.stringify(app), $cli: JSON.stringify(cli), $dev: "false" },
    inject: [path.join(platformDir, "src/shim/run.js")],
    outfile: bundleFile,
    write: true,
    bundle: true,
    logLevel: "silent",
  });

  // As Pulumi's Node language host runs a program: inside the root stack resource.
  let outputs: Record<string, unknown> = {};
  await pulumi.runtime.runInPulumiStack(async () => {
    outputs = ((await import(pathToFileURL(bundleFile).href)) as { default: Record<string, unknown> }).default;
    return outputs;
  });
  // Outputs created inside applies (a function's role, its zip) register after run() returns.
  let seen = -1;
  while (seen !== resources.length) {
    seen = resources.length;
    await pulumi.runtime.waitForRPCs?.();
    await new Promise((r) => setTimeout(r, 200));
  }
  const resolved = await new Promise<Record<string, unknown>>((resolve) =>
    pulumi.output(outputs).apply((v) => resolve(v as Record<string, unknown>)),
  );
  const graph: RehearsalGraph = {
    stage,
    app,
    outputs: JSON.parse(JSON.stringify(resolved)),
    resources,
    builds,
    policyDocuments,
    rpcCalls: [...new Set(rpcCalls)].sort(),
    artifactsRoot: outRoot,
  };
  writeFileSync(outFile, JSON.stringify(graph, null, 1));
} finally {
  rmSync(bundleFile, { force: true });
  rmSync(workDir, { recursive: true, force: true });
  server.close();
}
process.exit(0);
