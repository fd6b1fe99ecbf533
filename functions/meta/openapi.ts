import { routes } from "@vaultops/api";
import { httpRoute } from "@vaultops/lambda";

let document: Record<string, unknown> | undefined;

export const createHandler = httpRoute(routes.openApi, async (_request, ctx) => {
  // The generator (every schema as JSON Schema) loads on the first request, not at init.
  if (!document) {
    const { openApiDocument } = await import("@vaultops/api/openapi");
    document = openApiDocument(ctx.settings.VAULTOPS_VERSION);
  }
  return { status: 200, body: document, headers: { "cache-control": "public, max-age=300" } };
});

export const handler = createHandler();
