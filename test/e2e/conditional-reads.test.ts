import Ajv2020 from "ajv/dist/2020";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findLambdaTools } from "../../packages/dev/src/lambda-tools";
import { type DevFacts, startDevRuntime } from "../support/dev-runtime";

/**
 * A conditional read over HTTP, on the local runtime in both runtimes: the 304 reaches the client with
 * its ETag and Cache-Control and without a body or Content-Type, as the OpenAPI document describes it;
 * a 200 to a conditional read still validates against the document.
 */
const lambdaAvailable = findLambdaTools().tools !== undefined;
const runtimes = lambdaAvailable || process.env.CI === "true" ? (["source", "lambda"] as const) : (["source"] as const);

type Operation = {
  parameters: Array<{ name: string; in: string }>;
  responses: Record<string, { content?: Record<string, unknown>; headers?: Record<string, unknown> }>;
};

describe.each(runtimes)("conditional reads (runtime: %s)", (runtime) => {
  let stack: Awaited<ReturnType<typeof startDevRuntime>>;
  let facts: DevFacts;
  const api = (p: string, init: RequestInit = {}) => fetch(`${facts.apiUrl}${p}`, init);

  beforeAll(async () => {
    stack = await startDevRuntime({ VAULTOPS_RUNTIME: runtime });
    facts = stack.facts;
  }, 300_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it("answers 304 with the ETag and no body, as the document says", async () => {
    const doc = (await (await api("/api/v1/openapi.json")).json()) as {
      paths: Record<string, Record<string, Operation>>;
    };
    const operation = doc.paths["/api/v1/config/{key}"]?.get as Operation;
    expect(operation.parameters).toContainEqual(expect.objectContaining({ name: "If-None-Match", in: "header" }));
    expect(operation.responses["304"]?.content).toBeUndefined();
    expect(operation.responses["304"]?.headers).toHaveProperty("ETag");

    const q = `environment=e2e-cond&service_name=${runtime}`;
    const created = await api("/api/v1/config", {
      method: "POST",
      headers: { authorization: `Bearer ${facts.apiToken}`, "content-type": "application/json" },
      body: JSON.stringify({ key: "db", value: "one", environment: "e2e-cond", service_name: runtime }),
    });
    expect(created.status).toBe(201);
    const read = { authorization: `Bearer ${facts.apiReadToken}` };
    const first = await api(`/api/v1/config/db?${q}`, { headers: read });
    expect(first.status).toBe(200);
    const tag = first.headers.get("etag");
    expect(tag).toBe('"1"');
    await first.arrayBuffer();

    const same = await api(`/api/v1/config/db?${q}`, { headers: { ...read, "If-None-Match": String(tag) } });
    expect(same.status).toBe(304);
    expect(same.headers.get("etag")).toBe('"1"');
    expect(same.headers.get("cache-control")).toBe(first.headers.get("cache-control"));
    expect(same.headers.get("content-type")).toBeNull();
    expect(await same.text()).toBe("");

    const other = await api(`/api/v1/config/db?${q}`, { headers: { ...read, "If-None-Match": '"2", W/"3"' } });
    expect(other.status).toBe(200);
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addSchema(doc, "openapi");
    const validate = ajv.getSchema(
      "openapi#/paths/~1api~1v1~1config~1%7Bkey%7D/get/responses/200/content/application~1json/schema",
    );
    expect(validate?.(await other.json()), JSON.stringify(validate?.errors)).toBe(true);

    const bad = await api(`/api/v1/config/db?${q}`, { headers: { ...read, "If-None-Match": "nope" } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { code: string }).code).toBe("invalid_request");
  });
});
