// A tiny router. Patterns are '/'-separated segments, each either a literal
// or a `{param}`; a request path is matched segment by segment after it has
// been split and URL-decoded, so a param can hold any character (a connector
// name with spaces or an encoded '/').

export type Segment = { literal: string } | { param: string };

export interface Route<H> {
  method: string;
  pattern: string;
  segments: Segment[];
  handler: H;
}

export type RouteMatch<H> =
  | { kind: 'found'; route: Route<H>; params: Record<string, string> }
  | { kind: 'method-not-allowed'; allowed: string[] }
  | { kind: 'not-found' };

const PARAM = /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

/** Splits a route pattern such as `/connectors/{connector}/status`. */
export function parsePattern(pattern: string): Segment[] {
  if (!pattern.startsWith('/')) throw new Error(`Route pattern must start with '/': ${pattern}`);
  if (pattern === '/') return [];
  const seen = new Set<string>();
  return pattern
    .slice(1)
    .split('/')
    .map((part) => {
      if (part === '') throw new Error(`Route pattern has an empty segment: ${pattern}`);
      const param = PARAM.exec(part)?.[1];
      if (param === undefined) {
        if (part.includes('{') || part.includes('}')) throw new Error(`Bad param segment '${part}' in ${pattern}`);
        return { literal: part };
      }
      if (seen.has(param)) throw new Error(`Duplicate param {${param}} in ${pattern}`);
      seen.add(param);
      return { param };
    });
}

function matches(segments: Segment[], path: string[]): Record<string, string> | undefined {
  if (segments.length !== path.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    const value = path[i]!;
    if ('literal' in seg) {
      if (seg.literal !== value) return undefined;
    } else {
      // An empty segment ("/connectors//status") never names anything.
      if (value === '') return undefined;
      params[seg.param] = value;
    }
  }
  return params;
}

/** Negative when `a` is more specific: the first literal-vs-param difference wins. */
function compareSpecificity(a: Segment[], b: Segment[]): number {
  for (let i = 0; i < a.length; i++) {
    const la = 'literal' in a[i]!;
    const lb = 'literal' in b[i]!;
    if (la !== lb) return la ? -1 : 1;
  }
  return 0;
}

export class Router<H> {
  private readonly routes: Route<H>[] = [];

  add(method: string, pattern: string, handler: H): void {
    const m = method.toUpperCase();
    if (!/^[A-Z]+$/.test(m)) throw new Error(`Bad HTTP method: ${method}`);
    const segments = parsePattern(pattern);
    // Two routes with the same shape would make matching order-dependent.
    const shape = (s: Segment[]) => s.map((x) => ('literal' in x ? `/${x.literal}` : '/{}')).join('');
    const clash = this.routes.find((r) => r.method === m && shape(r.segments) === shape(segments));
    if (clash) throw new Error(`Route ${m} ${pattern} clashes with ${clash.method} ${clash.pattern}`);
    this.routes.push({ method: m, pattern, segments, handler });
  }

  /** `path` is the decoded segments of the request path (`[]` for `/`). */
  match(method: string, path: string[]): RouteMatch<H> {
    let best: { route: Route<H>; params: Record<string, string> } | undefined;
    const allowed = new Set<string>();
    for (const route of this.routes) {
      const params = matches(route.segments, path);
      if (!params) continue;
      allowed.add(route.method);
      if (route.method !== method) continue;
      if (!best || compareSpecificity(route.segments, best.route.segments) < 0) best = { route, params };
    }
    if (best) return { kind: 'found', ...best };
    if (allowed.size > 0) return { kind: 'method-not-allowed', allowed: [...allowed].sort() };
    return { kind: 'not-found' };
  }

  list(): Array<{ method: string; pattern: string }> {
    return this.routes.map((r) => ({ method: r.method, pattern: r.pattern }));
  }
}
