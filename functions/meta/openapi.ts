import { openApiDocument, routes } from "@vaultops/api";
import { httpRoute } from "@vaultops/lambda";

let document: Record<string, unknown> | undefined;

export const createHandler = httpRoute(routes.openApi, async (_request, ctx) => {
  document ??= openApiDocument(ctx.settings.VAULTOPS_VERSION);
  return { status: 200, body: document, headers: { "cache-control": "public, max-age=300" } };
});

export const handler = createHandler();
