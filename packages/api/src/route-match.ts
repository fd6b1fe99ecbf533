import { type RouteDefinition, routeList } from "./routes";

export interface CompiledRoute {
  route: RouteDefinition & { id: string };
  pattern: RegExp;
  params: string[];
}

/** `/api/v1/config/{key}` -> a regex with one capture per parameter (`{proxy+}` spans slashes). */
export function compileRoute(route: RouteDefinition & { id: string }): CompiledRoute {
  const params: string[] = [];
  const source = route.path
    .split("/")
    .map((segment) => {
      const match = /^\{([A-Za-z0-9_]+)(\+?)\}$/.exec(segment);
      if (!match) return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      params.push(match[1] as string);
      return match[2] ? "(.+)" : "([^/]+)";
    })
    .join("/");
  return { route, pattern: new RegExp(`^${source}$`), params };
}

/** Most specific first, as API Gateway matches: literal segments beat parameters. */
const specificity = (r: RouteDefinition) => r.path.split("/").filter((s) => !s.startsWith("{")).length;
export const compiledRoutes: CompiledRoute[] = [...routeList]
  .sort((a, b) => specificity(b) - specificity(a))
  .map(compileRoute);

/** The route for a method and path, or the methods the path allows when none matches. */
export function matchRoute(
  method: string,
  path: string,
): { match?: CompiledRoute; params: Record<string, string>; allowed: string[] } {
  const matching = compiledRoutes.filter((c) => c.pattern.test(path));
  // A literal path (e.g. /config/status) owns its methods; `{key}` routes do not claim it too.
  const literal = matching.filter((c) => c.params.length === 0);
  const candidates = literal.length > 0 ? literal : matching;
  const match = candidates.find((c) => c.route.method === method.toUpperCase());
  const params: Record<string, string> = {};
  if (match) {
    const values = match.pattern.exec(path)?.slice(1) ?? [];
    match.params.forEach((p, i) => {
      try {
        params[p] = decodeURIComponent(values[i] ?? "");
      } catch {
        params[p] = values[i] ?? "";
      }
    });
  }
  return { ...(match ? { match } : {}), params, allowed: [...new Set(candidates.map((c) => c.route.method))] };
}
