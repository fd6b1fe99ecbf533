import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { LambdaTools } from "./lambda-tools";
import { freePort, waitFor } from "./ports";

/** One function to emulate: its bundle directory and what infra gives it. */
export interface EmulatedFunctionSpec {
  name: string;
  /** dist/functions/<name>: what the deploy zips (LAMBDA_TASK_ROOT). */
  bundleDir: string;
  /** The handler string SST gives Lambda (`bundle.handler`): Lambda's `_HANDLER`. */
  handler: string;
  memoryMb: number;
  timeoutSeconds: number;
  /** The function's own environment (infra's `environment`, here the local stack's). */
  env: Record<string, string>;
}

export interface InvokeResult {
  /** What the handler returned (parsed JSON), when it did not fail. */
  payload?: unknown;
  /** Set when the handler threw or timed out (Lambda's function error). */
  functionError?: { errorType: string; errorMessage: string };
  /** The emulator's REPORT: the invocation's duration; `initMs` on the invocation that ran the init phase. */
  durationMs?: number;
  initMs?: number;
  requestId: string;
}

/** The minimal environment Lambda gives a function, plus the function's own variables. */
function lambdaEnvironment(spec: EmulatedFunctionSpec): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    LANG: "en_US.UTF-8",
    TZ: ":UTC",
    AWS_EXECUTION_ENV: "AWS_Lambda_nodejs22.x",
    AWS_LAMBDA_FUNCTION_NAME: spec.name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memoryMb),
    AWS_LAMBDA_FUNCTION_TIMEOUT: String(spec.timeoutSeconds),
    AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${spec.name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: "local",
    LAMBDA_TASK_ROOT: spec.bundleDir,
    // The test suites' AWS call log (packages/core/src/aws/call-recorder.ts); never set in AWS.
    ...(process.env.VAULTOPS_AWS_CALL_LOG ? { VAULTOPS_AWS_CALL_LOG: process.env.VAULTOPS_AWS_CALL_LOG } : {}),
    _HANDLER: spec.handler,
    ...spec.env,
  };
}

/** One execution environment: an emulator process and, after the first invocation, the runtime it started. */
class Environment {
  busy = false;
  dead = false;
  private child?: ChildProcess;
  private port = 0;
  private buffer = "";
  private readonly waiters = new Map<string, (report: { durationMs: number }) => void>();
  private pendingInitMs: number | undefined;
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

  constructor(
    private readonly spec: EmulatedFunctionSpec,
    private readonly tools: LambdaTools,
    private readonly onLog: (line: string) => void,
  ) {}

  async start(): Promise<void> {
    this.port = await freePort();
    const runtimeApiPort = await freePort();
    // Its own process group, so that stopping it also stops the Node runtime it started.
    this.child = spawn(
      this.tools.rie,
      [
        "--runtime-interface-emulator-address",
        `127.0.0.1:${this.port}`,
        "--runtime-api-address",
        `127.0.0.1:${runtimeApiPort}`,
        "--log-level",
        "info",
        this.tools.node,
        this.tools.ric,
        this.spec.handler,
      ],
      {
        cwd: this.spec.bundleDir,
        env: lambdaEnvironment(this.spec),
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
      },
    );
    this.child.stdout?.on("data", (chunk: Buffer) => this.read(chunk));
    this.child.stderr?.on("data", (chunk: Buffer) => this.read(chunk));
    this.child.on("exit", () => {
      this.dead = true;
    });
    await waitFor(
      async () => {
        if (this.dead) throw new Error(`aws-lambda-rie for ${this.spec.name} exited`);
        const res = await fetch(`http://127.0.0.1:${this.port}/`).catch(() => undefined);
        return res !== undefined;
      },
      // Seconds when the machine is busy (a test run starts many at once on two cores).
      30_000,
      `Lambda emulator for ${this.spec.name}`,
    );
  }

  private read(chunk: Buffer): void {
    this.buffer += chunk.toString();
    let newline = this.buffer.indexOf("\n");
    while (newline >= 0) {
      const line = this.buffer.slice(0, newline).replace(/\r$/, "");
      this.buffer = this.buffer.slice(newline + 1);
      this.line(line);
      newline = this.buffer.indexOf("\n");
    }
  }

  private line(line: string): void {
    const init = /INIT REPORT\(durationMs: ([\d.]+)\)/.exec(line);
    if (init) this.pendingInitMs = Number(init[1]);
    const report = /^REPORT RequestId: (\S+)\s.*?Duration: ([\d.]+) ms/.exec(
      line.replace(/Init Duration: [\d.]+ ms\s*/, ""),
    );
    if (report) this.waiters.get(report[1] as string)?.({ durationMs: Number(report[2]) });
    if (/^(START|END|REPORT) RequestId|\(rapid\)/.test(line)) return;
    if (line.trim()) this.onLog(line);
  }

  async invoke(event: unknown): Promise<InvokeResult> {
    const requestId = randomUUID();
    const reported = new Promise<{ durationMs: number } | undefined>((resolve) => {
      this.waiters.set(requestId, resolve);
      setTimeout(() => resolve(undefined), (this.spec.timeoutSeconds + 10) * 1000).unref();
    });
    try {
      const { status, body } = await this.post(JSON.stringify(event ?? null), requestId);
      // The REPORT line is printed before the answer is written; give the pipe a moment to catch up.
      const report = await Promise.race([
        reported,
        new Promise<undefined>((r) => setTimeout(() => r(undefined), 500).unref()),
      ]);
      const result: InvokeResult = { requestId };
      if (report) result.durationMs = report.durationMs;
      if (this.pendingInitMs !== undefined) {
        result.initMs = this.pendingInitMs;
        this.pendingInitMs = undefined;
      }
      if (status !== 200) {
        // The emulator answers 5xx when the runtime crashed or init failed: this environment is gone.
        this.dead = true;
        result.functionError = {
          errorType: "Runtime.ExitError",
          errorMessage: `emulator answered ${status}: ${body.slice(0, 500)}`,
        };
        return result;
      }
      const timedOut = /^Task timed out after/.test(body);
      if (timedOut) {
        this.dead = true;
        result.functionError = { errorType: "Sandbox.Timedout", errorMessage: body };
        return result;
      }
      const payload = body === "" ? null : (JSON.parse(body) as unknown);
      if (
        payload &&
        typeof payload === "object" &&
        "errorType" in payload &&
        "errorMessage" in payload &&
        !("statusCode" in payload)
      ) {
        const error = payload as { errorType: string; errorMessage: string };
        result.functionError = { errorType: error.errorType, errorMessage: error.errorMessage };
      } else {
        result.payload = payload;
      }
      return result;
    } finally {
      this.waiters.delete(requestId);
    }
  }

  private post(body: string, requestId: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: "127.0.0.1",
          port: this.port,
          method: "POST",
          path: "/2015-03-31/functions/function/invocations",
          agent: this.agent,
          headers: { "content-type": "application/json", "x-amzn-requestid": requestId },
          timeout: (this.spec.timeoutSeconds + 15) * 1000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
          res.on("error", reject);
        },
      );
      req.on("timeout", () => req.destroy(new Error(`${this.spec.name}: no answer from the emulator`)));
      req.on("error", reject);
      req.end(body);
    });
  }

  async stop(): Promise<void> {
    this.agent.destroy();
    const child = this.child;
    if (!child || child.exitCode !== null || child.pid === undefined) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      return;
    }
    const kill = setTimeout(() => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }, 2_000);
    await exited;
    clearTimeout(kill);
  }
}

/**
 * A function as Lambda runs it: execution environments started on first use and kept warm, each
 * serving one invocation at a time; a burst beyond the warm ones starts more (up to
 * `maxEnvironments`), the rest wait. An environment whose runtime crashed or timed out is replaced.
 */
export class EmulatedFunction {
  private readonly environments: Environment[] = [];
  private readonly queue: Array<(env: Environment) => void> = [];
  private starting = 0;

  constructor(
    readonly spec: EmulatedFunctionSpec,
    private readonly tools: LambdaTools,
    private readonly options: { maxEnvironments?: number; log?: (line: string) => void } = {},
  ) {}

  get warm(): number {
    return this.environments.filter((e) => !e.dead).length;
  }

  async invoke(event: unknown): Promise<InvokeResult> {
    const env = await this.acquire();
    try {
      return await env.invoke(event);
    } finally {
      env.busy = false;
      if (env.dead) {
        this.environments.splice(this.environments.indexOf(env), 1);
        void env.stop();
      }
      this.release();
    }
  }

  private async acquire(): Promise<Environment> {
    const idle = this.environments.find((e) => !e.busy && !e.dead);
    if (idle) {
      idle.busy = true;
      return idle;
    }
    if (this.environments.length + this.starting < (this.options.maxEnvironments ?? 4)) {
      this.starting++;
      const env = new Environment(this.spec, this.tools, (line) => this.options.log?.(`[${this.spec.name}] ${line}`));
      try {
        await env.start();
      } catch (error) {
        await env.stop();
        throw error;
      } finally {
        this.starting--;
      }
      env.busy = true;
      this.environments.push(env);
      return env;
    }
    return new Promise((resolve) => this.queue.push(resolve));
  }

  private release(): void {
    const next = this.queue.shift();
    if (!next) return;
    const idle = this.environments.find((e) => !e.busy && !e.dead);
    if (idle) {
      idle.busy = true;
      next(idle);
    } else {
      void this.acquire().then(next);
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.environments.splice(0).map((e) => e.stop()));
  }
}
