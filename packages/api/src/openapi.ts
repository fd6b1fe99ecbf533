import * as z from "zod/mini";
import { contract } from "./contract";
import { errorResponse, gatewayError } from "./response-schemas";
import { routeList } from "./routes";

const json = (schema: z.ZodMiniType, io: "input" | "output") =>
  z.toJSONSchema(schema, { io, unrepresentable: "any", target: "draft-2020-12" }) as Record<string, unknown>;
const strip = ({ $schema: _s, ...rest }: Record<string, unknown>) => rest;

const ERROR_TEXT: Record<number, string> = {
  400: "Invalid request (JSON error body naming every problem)",
  401: "No valid bearer token",
  403: "The token lacks the scope this operation needs",
  404: "Not found",
  409: "Version conflict (a concurrent writer won, nothing was overwritten), or foreign_shape: data another client wrote in its own shape",
  413: "Value or body too large",
  422: "The snapshot does not verify",
  500: "Internal error",
  503: "Vault (or the shared state store) is unavailable",
  504: "outcome_unknown: the write was sent but Vault did not say whether it happened; read before writing again",
};

/** Who may call a route, in words, for the document's readers. */
function scopeText(route: { scope: string; paths?: "config" }): string {
  if (route.scope === "public") return "Public: no token.";
  if (route.scope === "token") return "Any valid API token.";
  const scope = `Needs the \`${route.scope}\` scope (\`admin\` has every scope).`;
  const paths =
    route.paths === "config"
      ? " A token limited to paths may call it within them (403 outside)."
      : " Plane-wide: a token limited to paths gets 403.";
  const secrets =
    route.scope === "config:read"
      ? " Sensitive values need `secrets:read`: else 403 `secrets_scope_required` (single read) or the value's hash prefix in place of it."
      : "";
  return `${scope}${paths}${secrets}`;
}

/**
 * The OpenAPI 3.1 document, generated from the route table and the contract's schemas: nothing is
 * listed twice. Served at GET /api/v1/openapi.json and written to docs/openapi.json by the build.
 */
const requiresBody = (schema: Record<string, unknown>): boolean => {
  const alternatives = (schema.anyOf ?? schema.oneOf) as Array<Record<string, unknown>> | undefined;
  if (alternatives) return alternatives.every(requiresBody);
  return ((schema.required as string[] | undefined) ?? []).length > 0;
};

export function openApiDocument(version = "0.1.0"): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routeList) {
    const c = contract[route.id];
    const parameters: unknown[] = [];
    for (const [name, schema] of Object.entries(c.path ?? {})) {
      parameters.push({ name, in: "path", required: true, schema: strip(json(schema, "input")) });
    }
    for (const [name, header] of Object.entries(c.headers ?? {})) {
      parameters.push({ name, in: "header", required: false, description: header.description, schema: header.schema });
    }
    if (c.query) {
      const q = json(c.query, "input") as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, schema] of Object.entries(q.properties ?? {})) {
        const required = q.required?.includes(name) ?? false;
        parameters.push({ name, in: "query", required, schema, ...(required ? {} : { allowEmptyValue: true }) });
      }
    }
    const responses: Record<string, unknown> = {};
    for (const [status, schema] of Object.entries(c.responses)) {
      responses[status] =
        schema === "text"
          ? { description: "Prometheus text", content: { "text/plain": { schema: { type: "string" } } } }
          : schema === "notModified"
            ? {
                description: "Not Modified: If-None-Match names the version this read would serve (no body)",
                headers: { ETag: { description: 'The version, as a strong ETag ("3")', schema: { type: "string" } } },
              }
            : {
                description: status.startsWith("2") ? "Success" : "See body",
                content: { "application/json": { schema: strip(json(schema, "output")) } },
              };
    }
    const errors = new Set<number>([...(c.errors ?? []), 500, ...(route.scope === "public" ? [] : [401, 403])]);
    for (const status of errors) {
      if (responses[status]) continue;
      const schema =
        status === 401
          ? { anyOf: [{ $ref: "#/components/schemas/Error" }, { $ref: "#/components/schemas/GatewayError" }] }
          : { $ref: "#/components/schemas/Error" };
      responses[status] = { description: ERROR_TEXT[status] ?? "Error", content: { "application/json": { schema } } };
    }
    const operation: Record<string, unknown> = {
      operationId: route.id,
      summary: route.summary,
      description: scopeText(route),
      tags: [route.path.split("/")[3] ?? "api"],
      parameters,
      responses,
      security: route.scope === "public" ? [] : [{ bearerAuth: [] }],
      "x-vaultops-scope": route.scope,
    };
    if (route.id === "vaultMetrics") {
      (responses["200"] as { content: Record<string, unknown> }).content["text/plain"] = { schema: { type: "string" } };
    }
    if (c.body) {
      const schema = strip(json(c.body, "input"));
      // A body whose fields all have defaults may be left out.
      operation.requestBody = {
        // A body with required fields (in every alternative, for a union) is itself required.
        required: requiresBody(schema),
        content: { "application/json": { schema } },
      };
    }
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operation };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "vaultops management API",
      version,
      description:
        "Health, metrics, cache, token, configuration, rotation, snapshot and audit management for HashiCorp Vault. " +
        "Bearer tokens carry a scope: `read`, or `admin` (which includes read); each operation names its own in `x-vaultops-scope`.",
    },
    servers: [{ url: "/" }],
    components: {
      schemas: { Error: strip(json(errorResponse, "output")), GatewayError: strip(json(gatewayError, "output")) },
      securitySchemes: {
        bearerAuth: { type: "http", scheme: "bearer", description: "API token with the read or admin scope" },
      },
    },
    paths,
  };
}
