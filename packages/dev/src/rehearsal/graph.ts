/** The deploy rehearsal's graph: what Pulumi would register for one stage (see run-stage.ts). */

/** The account and region the rehearsal's mocks answer (no AWS is called). */
export const account = "123456789012";
export const region = "us-east-1";

/** A resource's ARN as the mocks compute it: `arn:aws:<service>:<region>:<account>:<module>/<physical name>`. */
export function mockArn(type: string, physical: string): string {
  const [, module = ""] = type.split(":");
  const [service = "", kind = ""] = module.split("/");
  return `arn:aws:${service}:${region}:${account}:${kind}/${physical}`;
}

export interface RehearsedResource {
  /** Pulumi type token: `aws:lambda/function:Function`, `sst:aws:Function`, ... */
  type: string;
  /** Pulumi (logical) name. */
  name: string;
  /** false for component resources (SST's components). */
  custom: boolean;
  /** The inputs the program gave. */
  inputs: Record<string, unknown>;
  /** The state the mocks answered: the inputs plus what AWS would compute (`arn`, `name`, ...). */
  state: Record<string, unknown>;
}

export interface RehearsalGraph {
  stage: string;
  /** `$app` as the rehearsal defined it. */
  app: Record<string, unknown>;
  /** run()'s outputs, resolved. */
  outputs: Record<string, unknown>;
  resources: RehearsedResource[];
  /** Every `Runtime.Build` SST's components asked for and what it answered. */
  builds: Array<{ functionID: string; name: string; source: string; out: string; handler: string }>;
  /** Every aws.iam.getPolicyDocument SST rendered (role policies), with its statements. */
  policyDocuments: Array<{ statements: Array<Record<string, unknown>>; json: string }>;
  /** The RPC methods SST's components called. */
  rpcCalls: string[];
  artifactsRoot: string;
}
