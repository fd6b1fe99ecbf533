/**
 * A .env parser with dotenv's semantics (`export` prefixes, `KEY=value` and `KEY: value`, single,
 * double and back quotes, multi-line quoted values, `\n` in double quotes, `#` comments, empty
 * values, the last duplicate wins) that also reports malformed lines with their numbers, which
 * dotenv itself skips silently.
 */
export interface DotenvEntry {
  key: string;
  value: string;
  /** 1-based line where the entry starts. */
  line: number;
}

export interface DotenvResult {
  entries: DotenvEntry[];
  /** Keys that appeared more than once (the last value is kept, as dotenv does). */
  duplicates: Array<{ key: string; lines: number[] }>;
  /**
   * Lines that are not `KEY=value`: the line number, the key when one can be told apart from the
   * value, and why. Never the line itself: a malformed line usually holds a secret.
   */
  malformed: Array<{ line: number; key?: string; reason: string }>;
}

/** The part before `=`/`:` when it looks like a name (spaces and all); else nothing is shown. */
function keyOf(raw: string): string | undefined {
  const match = /^\s*(?:export\s+)?([^=:]{1,64}?)\s*(?:=|:\s)/.exec(raw);
  const name = match?.[1]?.trim();
  return name && /^[\w. -]+$/.test(name) ? name : undefined;
}

const problem = (line: number, raw: string, reason: string) => {
  const key = keyOf(raw);
  return key === undefined ? { line, reason } : { line, key, reason };
};

const START = /^\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*|:\s+)(.*)$/;

export function parseDotenv(text: string): DotenvResult {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  const byKey = new Map<string, DotenvEntry>();
  const seen = new Map<string, number[]>();
  const malformed: DotenvResult["malformed"] = [];
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] as string;
    if (raw.trim() === "" || raw.trim().startsWith("#")) continue;
    const match = START.exec(raw);
    if (!match) {
      const key = keyOf(raw);
      malformed.push(
        problem(
          i + 1,
          raw,
          key === undefined
            ? "expected KEY=value"
            : /\s/.test(key)
              ? "a space in the key"
              : "expected KEY=value (a key is letters, digits, '_', '.' and '-')",
        ),
      );
      continue;
    }
    const key = match[1] as string;
    let rest = (match[2] as string).trimStart();
    if (/^=/.test(rest)) {
      // `ABC==`: the padding of a base64 value continued on its own line, not KEY=value. Its "key" is
      // part of a secret: neither shown nor taken as a key.
      malformed.push({ line: i + 1, reason: "a value that starts with '=' (the unquoted continuation of a value?)" });
      continue;
    }
    const startLine = i + 1;
    let value: string;
    const quote = rest[0];
    if (quote === '"' || quote === "'" || quote === "`") {
      // The value runs to the matching closing quote, possibly lines later.
      let body = rest.slice(1);
      let close = findClose(body, quote);
      while (close < 0 && i + 1 < lines.length) {
        i++;
        body += `\n${lines[i]}`;
        close = findClose(body, quote);
      }
      if (close < 0) {
        malformed.push(problem(startLine, raw, `unterminated ${quote} quote`));
        continue;
      }
      value = body.slice(0, close);
      const after = body.slice(close + 1).trim();
      if (after !== "" && !after.startsWith("#")) {
        malformed.push(problem(i + 1, raw, "text after the closing quote"));
        continue;
      }
      if (quote === '"') value = value.replace(/\\n/g, "\n").replace(/\\r/g, "\r");
      value = value.replace(new RegExp(`\\\\${quote}`, "g"), quote);
    } else {
      const hash = rest.indexOf("#");
      if (hash >= 0) rest = rest.slice(0, hash);
      value = rest.trim();
    }
    byKey.delete(key);
    byKey.set(key, { key, value, line: startLine });
    seen.set(key, [...(seen.get(key) ?? []), startLine]);
  }
  return {
    entries: [...byKey.values()].sort((a, b) => a.line - b.line),
    duplicates: [...seen].filter(([, at]) => at.length > 1).map(([key, at]) => ({ key, lines: at })),
    malformed,
  };
}

function findClose(body: string, quote: string): number {
  for (let i = 0; i < body.length; i++) {
    if (body[i] === "\\" && body[i + 1] === quote) {
      i++;
      continue;
    }
    if (body[i] === quote) return i;
  }
  return -1;
}
