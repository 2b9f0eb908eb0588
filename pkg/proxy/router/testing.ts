// Builders shared by the router tests and the benchmark (not used by the data plane).
import type { MatchIR, RuleIR, ValueMatchIR } from '../ir';
import type { RouteRequest } from './compile';

export interface RuleSpec {
  route: string;
  ruleIndex?: number;
  created?: string;
  hostnames?: string[];
  listeners?: string[];
  matches?: MatchIR[];
  invalid?: { status: number; reason: string };
}

export function mkRule(s: RuleSpec): RuleIR {
  const ruleIndex = s.ruleIndex ?? 0;
  return {
    id: `route/${s.route}/rule/${ruleIndex}`,
    route: s.route,
    routeCreated: s.created ?? '2024-01-01T00:00:00Z',
    ruleIndex,
    hostnames: s.hostnames ?? [],
    listeners: s.listeners ?? ['default'],
    matches: s.matches ?? [],
    filters: [],
    backendRefs: [],
    invalid: s.invalid,
    timeouts: {},
    websocket: true,
  };
}

export interface MatchSpec {
  exact?: string;
  prefix?: string;
  regex?: string;
  method?: string;
  headers?: Array<[string, string] | [string, string, 'RegularExpression']>;
  query?: Array<[string, string] | [string, string, 'RegularExpression']>;
}

function values(list: MatchSpec['headers']): ValueMatchIR[] {
  return (list ?? []).map(([name, value, type]) => ({ name, value, type: type ?? 'Exact' }));
}

export function mkMatch(s: MatchSpec): MatchIR {
  const path: MatchIR['path'] =
    s.exact !== undefined
      ? { type: 'Exact', value: s.exact }
      : s.regex !== undefined
        ? { type: 'RegularExpression', value: s.regex }
        : { type: 'PathPrefix', value: s.prefix ?? '/' };
  const m: MatchIR = { path, headers: values(s.headers), queryParams: values(s.query) };
  if (s.method !== undefined) m.method = s.method;
  return m;
}

/** A request as the data plane hands it to the router (headers looked up by lower-case name). */
export class Req implements RouteRequest {
  host: string;
  path: string;
  query: string;
  method: string;
  private readonly h: Map<string, string>;
  constructor(host: string, target: string, method = 'GET', headers: Record<string, string> = {}) {
    this.host = host;
    const q = target.indexOf('?');
    this.path = q < 0 ? target : target.slice(0, q);
    this.query = q < 0 ? '' : target.slice(q + 1);
    this.method = method;
    this.h = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  }
  header(name: string): string | undefined {
    return this.h.get(name);
  }
}
