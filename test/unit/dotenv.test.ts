import { parse } from "dotenv";
import { describe, expect, it } from "vitest";
import { parseDotenv } from "../../packages/cli/src/dotenv";
import { classify } from "../../packages/cli/src/sensitivity";

const sample = [
  "# a comment",
  "export DATABASE_URL=postgres://app:s3cret@db:5432/app",
  "PLAIN=hello world # trailing comment",
  "EMPTY=",
  "SINGLE='literal \\n stays'",
  'DOUBLE="line one\\nline two"',
  'MULTI="first',
  'second"',
  "BACKTICK=`has 'quotes' and \"quotes\"`",
  "COLON: value",
  "DUP=first",
  "DUP=second",
  "  SPACED  =  padded  ",
  "",
].join("\n");

describe("parseDotenv", () => {
  it("agrees with dotenv on every well-formed line", () => {
    const ours = Object.fromEntries(parseDotenv(sample).entries.map((e) => [e.key, e.value]));
    expect(ours).toEqual(parse(sample));
  });

  it("keeps the last duplicate, reports it, and numbers the lines", () => {
    const result = parseDotenv(sample);
    expect(result.duplicates).toEqual([{ key: "DUP", lines: [11, 12] }]);
    expect(result.entries.find((e) => e.key === "MULTI")?.line).toBe(7);
    expect(result.malformed).toEqual([]);
  });

  it("reports malformed lines with their numbers", () => {
    const result = parseDotenv('GOOD=1\nthis is not an assignment\nOPEN="never closed\nBAD KEY=1\n');
    expect(result.entries.map((e) => e.key)).toEqual(["GOOD"]);
    expect(result.malformed.map((m) => [m.line, m.reason])).toEqual([
      [2, "expected KEY=value"],
      [3, 'unterminated " quote'],
    ]);
  });
});

describe("malformed lines never show their value", () => {
  const secret = "sk_live_4eC39HqLyjWDarjtT1zdp7dc";
  it.each([
    ["an unterminated double quote", `API_KEY="${secret}`, 1, "API_KEY", 'unterminated " quote'],
    ["an unterminated single quote", `API_KEY='${secret}`, 1, "API_KEY", "unterminated ' quote"],
    ["text after the closing quote", `API_KEY="${secret}" trailing`, 1, "API_KEY", "text after the closing quote"],
    ["a missing =", `API_KEY ${secret}`, 1, undefined, "expected KEY=value"],
    ["a space in the key", `API KEY=${secret}`, 1, "API KEY", "a space in the key"],
    ["a bare secret", secret, 1, undefined, "expected KEY=value"],
    ["a key with a slash", `api/key=${secret}`, 1, undefined, "expected KEY=value"],
    ["a key with a dollar", `$API_KEY=${secret}`, 1, undefined, "expected KEY=value"],
    ["a second line that is broken", `OK=1\nAPI_KEY:${secret}`, 2, undefined, "expected KEY=value"],
    ["a quoted key", `"API_KEY"=${secret}`, 1, undefined, "expected KEY=value"],
    [
      "an unquoted value continued on its own line",
      `CERT=${secret}\nSECRETPART==`,
      2,
      undefined,
      "a value that starts with '=' (the unquoted continuation of a value?)",
    ],
  ])("%s: line, key and reason only", (_what, text, line, key, reason) => {
    const { malformed } = parseDotenv(text);
    expect(malformed).toEqual([key === undefined ? { line, reason } : { line, key, reason }]);
    expect(JSON.stringify(malformed)).not.toContain(secret.slice(8));
  });
});

describe("classify", () => {
  it.each([
    ["DB_PASSWORD", "x", true, "name"],
    ["STRIPE_API_KEY", "abc", true, "name"],
    ["GITHUB", "ghp_abcdefghijklmnopqrstuvwxyz0123456789", true, "format"],
    ["DATABASE_URL", "postgres://app:s3cret@db:5432/app", true, "format"],
    ["RANDOM_BLOB", "q8Zr2LmX0vB7yT4nW9cK1pA6", true, "entropy"],
    ["DB_PW", "hunter2", true, "name"],
    ["SMTP_PWD", "hunter2", true, "name"],
    ["REDIS_PASS", "hunter2", true, "name"],
    ["SENTRY_DSN", "https://abc@o1.ingest.sentry.io/1", true, "name"],
    ["SSH_PRIVATE", "x", true, "name"],
    ["UPSTREAM", "https://user:pa55@proxy.internal:8080", true, "format"],
    ["QUEUE", "connect to amqp://app:pa55@mq:5672/ now", true, "format"],
    ["TLS", "-----BEGIN CERTIFICATE-----\nMIIB", true, "format"],
    ["SESSION_SIGNER", "x", true, "name"],
    [
      "ID_PAYLOAD",
      "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
      true,
      "format",
    ],
    ["RANDOM_HEX", "9f86d081884c7d659a2feaa0c55ad015", true, "entropy"],
    ["LOG_LEVEL", "info", false, "plain"],
    ["VERSION", "1.2.3.4.5.6.7.8.9.10.11", false, "plain"],
    ["HOMEPAGE", "https://example.com/docs", false, "plain"],
    ["GREETING", "hello there, general kenobi", false, "plain"],
  ])("%s is sensitive=%s by %s", (key, value, sensitive, reason) => {
    expect(classify(key, value)).toEqual({ sensitive, reason });
  });
});
