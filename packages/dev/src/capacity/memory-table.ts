/**
 * The state table in memory for the capacity model: the document client's `send` for the commands and
 * the expression subset the stores use (packages/core/src/**), with DynamoDB's rules for item sizes and
 * capacity units, each call's units added to its partition key's second. An expression or command
 * outside the subset throws, naming it: the model never guesses what a store meant.
 */
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";

type Item = Record<string, unknown>;
type Values = Record<string, unknown>;
type Names = Record<string, string>;

/** Units one partition key took in one second. */
export interface PartitionSecond {
  readUnits: number;
  writeUnits: number;
  calls: number;
}

/** What the model's clock says: the second a call is counted in. */
export type SecondOf = () => number;

/** One call as the table counted it (for the check against DynamoDB's own counts). */
export interface CountedCall {
  command: string;
  partitionKeys: string[];
  readUnits: number;
  writeUnits: number;
}

export class MemoryTable {
  private readonly partitions = new Map<string, Map<string, Item>>();
  /** second -> pk -> usage */
  readonly usage = new Map<number, Map<string, PartitionSecond>>();
  /** Calls by command name. */
  readonly calls = new Map<string, number>();
  /** Every call's units, added up. */
  readonly totals = { readUnits: 0, writeUnits: 0, calls: 0 };

  private current: CountedCall | undefined;

  constructor(
    private readonly secondOf: SecondOf,
    /** Told of every call, with its units, when it ends (refused or not). */
    private readonly trace?: (call: CountedCall) => void,
  ) {}

  /** The document client the stores talk to (StateTable's `send`). */
  readonly client = {
    send: async (command: unknown): Promise<unknown> => {
      if (!this.trace) return this.dispatch(command);
      this.current = { command: apiName(command), partitionKeys: [], readUnits: 0, writeUnits: 0 };
      const call = this.current;
      try {
        return this.dispatch(command);
      } finally {
        this.current = undefined;
        this.trace(call);
      }
    },
  };

  private count(pk: string, read: number, write: number): void {
    this.totals.readUnits += read;
    this.totals.writeUnits += write;
    if (this.current) {
      if (!this.current.partitionKeys.includes(pk)) this.current.partitionKeys.push(pk);
      this.current.readUnits += read;
      this.current.writeUnits += write;
    }
    const second = this.secondOf();
    let bySecond = this.usage.get(second);
    if (!bySecond) {
      bySecond = new Map();
      this.usage.set(second, bySecond);
    }
    const u = bySecond.get(pk) ?? { readUnits: 0, writeUnits: 0, calls: 0 };
    u.readUnits += read;
    u.writeUnits += write;
    u.calls++;
    bySecond.set(pk, u);
  }

  private partition(pk: string): Map<string, Item> {
    let p = this.partitions.get(pk);
    if (!p) {
      p = new Map();
      this.partitions.set(pk, p);
    }
    return p;
  }

  private get(key: Item): Item | undefined {
    return this.partitions.get(String(key.pk))?.get(String(key.sk));
  }

  private dispatch(command: unknown): unknown {
    const name = apiName(command);
    this.calls.set(name, (this.calls.get(name) ?? 0) + 1);
    this.totals.calls++;
    const input = (command as { input: Record<string, unknown> }).input;
    if (command instanceof GetCommand) return this.getItem(input);
    if (command instanceof PutCommand) return this.putItem(input);
    if (command instanceof UpdateCommand) return this.updateItem(input);
    if (command instanceof DeleteCommand) return this.deleteItem(input);
    if (command instanceof QueryCommand) return this.query(input);
    if (command instanceof BatchGetCommand) return this.batchGet(input);
    if (command instanceof BatchWriteCommand) return this.batchWrite(input);
    throw new Error(`memory table: ${name} is not modelled`);
  }

  private getItem(input: Record<string, unknown>) {
    const key = input.Key as Item;
    const item = this.get(key);
    this.count(String(key.pk), readUnits(item, input.ConsistentRead === true), 0);
    return { Item: item ? structuredClone(item) : undefined };
  }

  private putItem(input: Record<string, unknown>) {
    const item = structuredClone(input.Item as Item);
    const old = this.get(item);
    this.count(String(item.pk), 0, writeUnits(old, item));
    conditionHolds(input, old);
    this.partition(String(item.pk)).set(String(item.sk), item);
    return { Attributes: input.ReturnValues === "ALL_OLD" && old ? structuredClone(old) : undefined };
  }

  private deleteItem(input: Record<string, unknown>) {
    const key = input.Key as Item;
    const old = this.get(key);
    this.count(String(key.pk), 0, writeUnits(old, undefined));
    conditionHolds(input, old);
    this.partitions.get(String(key.pk))?.delete(String(key.sk));
    return { Attributes: input.ReturnValues === "ALL_OLD" && old ? structuredClone(old) : undefined };
  }

  private updateItem(input: Record<string, unknown>) {
    const key = input.Key as Item;
    const old = this.get(key);
    const values = (input.ExpressionAttributeValues ?? {}) as Values;
    const names = (input.ExpressionAttributeNames ?? {}) as Names;
    if (input.ConditionExpression) {
      try {
        checkCondition(input.ConditionExpression as string, old, values, names);
      } catch (error) {
        this.count(String(key.pk), 0, writeUnits(old, undefined));
        throw error;
      }
    }
    const next: Item = old ? structuredClone(old) : { pk: key.pk, sk: key.sk };
    const updated = applyUpdate(input.UpdateExpression as string, next, values, names);
    this.count(String(key.pk), 0, writeUnits(old, next));
    this.partition(String(key.pk)).set(String(key.sk), next);
    const returned =
      input.ReturnValues === "ALL_NEW"
        ? next
        : input.ReturnValues === "UPDATED_NEW"
          ? Object.fromEntries(updated.map((n) => [n, next[n]]))
          : input.ReturnValues === "ALL_OLD"
            ? old
            : undefined;
    return { Attributes: returned ? structuredClone(returned) : undefined };
  }

  private query(input: Record<string, unknown>) {
    const values = input.ExpressionAttributeValues as Values;
    const condition = String(input.KeyConditionExpression);
    const pk = String(values[":pk"]);
    let between: [string, string] | undefined;
    if (condition === "pk = :pk AND sk BETWEEN :lo AND :hi") between = [String(values[":lo"]), String(values[":hi"])];
    else if (condition !== "pk = :pk") throw new Error(`memory table: key condition "${condition}" is not modelled`);
    let items = [...(this.partitions.get(pk)?.values() ?? [])]
      .filter((i) => !between || (String(i.sk) >= between[0] && String(i.sk) <= between[1]))
      .sort((a, b) => String(a.sk).localeCompare(String(b.sk)));
    if (input.ScanIndexForward === false) items.reverse();
    const start = input.ExclusiveStartKey as Item | undefined;
    if (start) {
      const at = items.findIndex((i) => i.sk === start.sk);
      items = items.slice(at + 1);
    }
    const limit = input.Limit as number | undefined;
    const page: Item[] = [];
    let bytes = 0;
    for (const item of items) {
      if (limit !== undefined && page.length >= limit) break;
      if (bytes >= 1024 * 1024) break;
      page.push(item);
      bytes += itemSize(item);
    }
    this.count(pk, Math.max(1, Math.ceil(bytes / 4096)) * (input.ConsistentRead ? 1 : 0.5), 0);
    const last = page[page.length - 1];
    return {
      Items: structuredClone(page),
      LastEvaluatedKey: page.length < items.length && last ? { pk: last.pk, sk: last.sk } : undefined,
    };
  }

  private batchGet(input: Record<string, unknown>) {
    const [[table, request]] = Object.entries(
      input.RequestItems as Record<string, { Keys: Item[]; ConsistentRead?: boolean }>,
    ) as [[string, { Keys: Item[]; ConsistentRead?: boolean }]];
    const found: Item[] = [];
    for (const key of request.Keys) {
      const item = this.get(key);
      this.count(String(key.pk), readUnits(item, request.ConsistentRead === true), 0);
      if (item) found.push(structuredClone(item));
    }
    return { Responses: { [table]: found }, UnprocessedKeys: {} };
  }

  private batchWrite(input: Record<string, unknown>) {
    for (const requests of Object.values(
      input.RequestItems as Record<string, Array<Record<string, { Item?: Item; Key?: Item }>>>,
    ))
      for (const r of requests) {
        if (r.PutRequest?.Item) {
          const item = structuredClone(r.PutRequest.Item);
          this.count(String(item.pk), 0, writeUnits(this.get(item), item));
          this.partition(String(item.pk)).set(String(item.sk), item);
        } else if (r.DeleteRequest?.Key) {
          const key = r.DeleteRequest.Key;
          this.count(String(key.pk), 0, writeUnits(this.get(key), undefined));
          this.partitions.get(String(key.pk))?.delete(String(key.sk));
        }
      }
    return { UnprocessedItems: {} };
  }

  /** Every item of a partition (for the model's own checks). */
  items(pk: string): Item[] {
    return [...(this.partitions.get(pk)?.values() ?? [])];
  }
}

/** The DynamoDB operation a document-client command is (`PutCommand` is PutItem). */
function apiName(command: unknown): string {
  const name = (command as object).constructor.name.replace(/Command$/, "");
  return ["Get", "Put", "Update", "Delete", "BatchGet", "BatchWrite"].includes(name) ? `${name}Item` : name;
}

/** DynamoDB's size of an item: attribute names and values in bytes (its documented rules). */
export function itemSize(item: Item): number {
  let size = 0;
  for (const [name, value] of Object.entries(item))
    if (value !== undefined) size += Buffer.byteLength(name) + valueSize(value);
  return size;
}

function valueSize(value: unknown): number {
  if (value === null || typeof value === "boolean") return 1;
  if (typeof value === "string") return Buffer.byteLength(value);
  if (typeof value === "number") {
    const digits =
      String(Math.abs(value))
        .replace(/[.e+-]/g, "")
        .replace(/^0+/, "").length || 1;
    return Math.ceil(digits / 2) + 1;
  }
  if (value instanceof Uint8Array) return value.byteLength;
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, v) => sum + 1 + valueSize(v), 0);
  if (value instanceof Set) return [...value].reduce((sum: number, v) => sum + valueSize(v), 0);
  if (typeof value === "object")
    return (
      3 +
      Object.entries(value as Item).reduce(
        (sum: number, [k, v]) => sum + (v === undefined ? 0 : 1 + Buffer.byteLength(k) + valueSize(v)),
        0,
      )
    );
  throw new Error(`memory table: a value of type ${typeof value} is not modelled`);
}

function readUnits(item: Item | undefined, consistent: boolean): number {
  const units = item ? Math.ceil(itemSize(item) / 4096) || 1 : 1;
  return consistent ? units : units / 2;
}

function writeUnits(before: Item | undefined, after: Item | undefined): number {
  return Math.max(1, Math.ceil(Math.max(before ? itemSize(before) : 0, after ? itemSize(after) : 0) / 1024));
}

class ConditionalCheckFailedException extends Error {
  override name = "ConditionalCheckFailedException";
}

// --- Expressions: a small recursive-descent parser over the subset the stores use. ---

type Token = { kind: "name" | "value" | "op" | "paren" | "comma" | "word"; text: string };

function tokens(expression: string): Token[] {
  const out: Token[] = [];
  const re =
    /\s*(?:(#[A-Za-z0-9_]+|[A-Za-z_][A-Za-z0-9_]*(?:\[\d+\])?)|(:[A-Za-z0-9_]+)|(<=|>=|<>|=|<|>|\+|-)|([()])|(,))\s*/y;
  while (re.lastIndex < expression.length) {
    const m = re.exec(expression);
    if (!m) throw new Error(`memory table: cannot read "${expression}" at ${re.lastIndex}`);
    if (m[1]) out.push({ kind: /^(AND|OR|NOT|BETWEEN|SET|ADD|REMOVE)$/.test(m[1]) ? "word" : "name", text: m[1] });
    else if (m[2]) out.push({ kind: "value", text: m[2] });
    else if (m[3]) out.push({ kind: "op", text: m[3] });
    else if (m[4]) out.push({ kind: "paren", text: m[4] });
    else if (m[5]) out.push({ kind: "comma", text: m[5] });
  }
  return out;
}

class Reader {
  private at = 0;
  constructor(
    private readonly list: Token[],
    private readonly source: string,
  ) {}
  peek(): Token | undefined {
    return this.list[this.at];
  }
  next(): Token {
    const t = this.list[this.at++];
    if (!t) throw new Error(`memory table: "${this.source}" ends early`);
    return t;
  }
  expect(text: string): void {
    const t = this.next();
    if (t.text !== text) throw new Error(`memory table: "${this.source}": expected ${text}, found ${t.text}`);
  }
  done(): boolean {
    return this.at >= this.list.length;
  }
}

function attributeName(token: Token, names: Names): { name: string; index?: number } {
  const m = /^(#?[A-Za-z0-9_]+)(?:\[(\d+)\])?$/.exec(token.text);
  if (!m || token.kind !== "name") throw new Error(`memory table: "${token.text}" is not an attribute`);
  const raw = m[1] as string;
  const name = raw.startsWith("#") ? names[raw] : raw;
  if (name === undefined) throw new Error(`memory table: ${raw} has no name`);
  return m[2] === undefined ? { name } : { name, index: Number(m[2]) };
}

function operand(t: Token, item: Item | undefined, values: Values, names: Names): unknown {
  if (t.kind === "value") {
    if (!(t.text in values)) throw new Error(`memory table: ${t.text} has no value`);
    return values[t.text];
  }
  return item?.[attributeName(t, names).name];
}

function compare(a: unknown, op: string, b: unknown): boolean {
  if (a === undefined || b === undefined) return false;
  switch (op) {
    case "=":
      return JSON.stringify(a) === JSON.stringify(b);
    case "<>":
      return JSON.stringify(a) !== JSON.stringify(b);
    case "<":
      return (a as number) < (b as number);
    case "<=":
      return (a as number) <= (b as number);
    case ">":
      return (a as number) > (b as number);
    case ">=":
      return (a as number) >= (b as number);
  }
  throw new Error(`memory table: operator ${op} is not modelled`);
}

/** Throws DynamoDB's ConditionalCheckFailedException when the call's condition (if any) fails on `item`. */
function conditionHolds(input: Record<string, unknown>, item: Item | undefined): void {
  if (input.ConditionExpression)
    checkCondition(
      input.ConditionExpression as string,
      item,
      input.ExpressionAttributeValues as Values,
      input.ExpressionAttributeNames as Names,
    );
}

function checkCondition(expression: string, item: Item | undefined, values: Values = {}, names: Names = {}): void {
  const r = new Reader(tokens(expression), expression);
  const or = (): boolean => {
    let v = and();
    while (r.peek()?.text === "OR") {
      r.next();
      v = and() || v;
    }
    return v;
  };
  const and = (): boolean => {
    let v = factor();
    while (r.peek()?.text === "AND") {
      r.next();
      v = factor() && v;
    }
    return v;
  };
  const factor = (): boolean => {
    const t = r.next();
    if (t.text === "NOT") return !factor();
    if (t.text === "(") {
      const v = or();
      r.expect(")");
      return v;
    }
    if (t.text === "attribute_exists" || t.text === "attribute_not_exists") {
      r.expect("(");
      const name = attributeName(r.next(), names).name;
      r.expect(")");
      const exists = item !== undefined && item[name] !== undefined;
      return t.text === "attribute_exists" ? exists : !exists;
    }
    const op = r.next();
    if (op.kind !== "op") throw new Error(`memory table: "${expression}": ${op.text} is not a comparison`);
    return compare(operand(t, item, values, names), op.text, operand(r.next(), item, values, names));
  };
  const result = or();
  if (!r.done()) throw new Error(`memory table: "${expression}" has more than one condition`);
  if (!result) throw new ConditionalCheckFailedException("The conditional request failed");
}

/** Applies SET / ADD / REMOVE clauses to `item`; returns the attributes they updated. */
function applyUpdate(expression: string, item: Item, values: Values, names: Names): string[] {
  const r = new Reader(tokens(expression), expression);
  const updated: string[] = [];
  const value = (): unknown => {
    const t = r.next();
    if (t.text === "if_not_exists") {
      r.expect("(");
      const name = attributeName(r.next(), names).name;
      r.expect(",");
      const fallback = operand(r.next(), item, values, names);
      r.expect(")");
      return item[name] ?? fallback;
    }
    if (t.text === "list_append") {
      r.expect("(");
      const a = value();
      r.expect(",");
      const b = value();
      r.expect(")");
      return [...(a as unknown[]), ...(b as unknown[])];
    }
    return operand(t, item, values, names);
  };
  let clause = "";
  while (!r.done()) {
    const t = r.peek() as Token;
    if (t.kind === "word") {
      clause = r.next().text;
      continue;
    }
    if (t.kind === "comma") {
      r.next();
      continue;
    }
    const target = attributeName(r.next(), names);
    if (clause === "SET") {
      r.expect("=");
      let v = value();
      const op = r.peek();
      if (op?.text === "+" || op?.text === "-") {
        r.next();
        const w = value() as number;
        v = op.text === "+" ? (v as number) + w : (v as number) - w;
      }
      item[target.name] = v;
    } else if (clause === "ADD") {
      const v = operand(r.next(), item, values, names) as number;
      item[target.name] = ((item[target.name] as number | undefined) ?? 0) + v;
    } else if (clause === "REMOVE") {
      if (target.index === undefined) delete item[target.name];
      else {
        // Indices name positions before any removal (DynamoDB's rule): mark, then compact once.
        const list = item[target.name] as unknown[];
        if (Array.isArray(list) && target.index < list.length) list[target.index] = REMOVED;
      }
    } else throw new Error(`memory table: clause ${clause || "(none)"} is not modelled`);
    if (!updated.includes(target.name)) updated.push(target.name);
  }
  for (const name of updated) {
    const v = item[name];
    if (Array.isArray(v)) item[name] = v.filter((e) => e !== REMOVED);
  }
  return updated;
}

const REMOVED = Symbol("removed");
