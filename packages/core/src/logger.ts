/** Structured JSON logs, one line per event. Callers pass short hashes, never secret values. */
export type LogLevel = "debug" | "info" | "warn" | "error";
const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

/** One JSON line per event on stdout, where Lambda's log agent (CloudWatch Logs) picks it up. */
const defaultWrite = (line: string) => {
  process.stdout.write(`${line}\n`);
};

export function createLogger(
  base: Record<string, unknown> = {},
  level: LogLevel = (process.env.LOG_LEVEL as LogLevel | undefined) ?? "info",
  write: (line: string) => void = defaultWrite,
): Logger {
  const threshold = order[level] ?? order.info;
  const emit = (lvl: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (order[lvl] < threshold) return;
    const safe: Record<string, unknown> = {};
    for (const [key, value] of Object.entries({ ...base, ...fields })) safe[key] = sanitize(value, 0);
    write(JSON.stringify({ level: lvl, time: new Date().toISOString(), message, ...safe }));
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
    child: (fields) => createLogger({ ...base, ...fields }, level, write),
  };
}

/**
 * Errors become {name, message} before JSON.stringify sees them: some (axios) define toJSON and
 * would serialise their request config, credentials included. Nested causes keep only name and message.
 */
function sanitize(value: unknown, depth: number): unknown {
  if (value instanceof Error || (typeof value === "object" && value !== null && "isAxiosError" in value)) {
    const error = value as Error & { cause?: unknown };
    const out: Record<string, unknown> = { name: error.name, message: error.message };
    if (error.cause !== undefined && depth < 3) out.cause = sanitize(error.cause, depth + 1);
    return out;
  }
  return value;
}
