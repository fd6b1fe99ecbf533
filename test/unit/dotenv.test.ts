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

describe("classify", () => {
  it.each([
    ["DB_PASSWORD", "x", true, "name"],
    ["STRIPE_API_KEY", "abc", true, "name"],
    ["GITHUB", "ghp_abcdefghijklmnopqrstuvwxyz0123456789", true, "format"],
    ["DATABASE_URL", "postgres://app:s3cret@db:5432/app", true, "format"],
    ["RANDOM_BLOB", "q8Zr2LmX0vB7yT4nW9cK1pA6", true, "entropy"],
    ["LOG_LEVEL", "info", false, "plain"],
    ["GREETING", "hello there, general kenobi", false, "plain"],
  ])("%s is sensitive=%s by %s", (key, value, sensitive, reason) => {
    expect(classify(key, value)).toEqual({ sensitive, reason });
  });
});
