// The resource URLs (/api/<v>/…, /apis/<g>/<v>/…, with or without namespaces/<ns>/) split into
// their route parameters without express's router: the same parameters the first matching
// express route of server.ts would give. Only the plain form is recognised — exact-case literals,
// no empty segment or trailing slash, percent-escapes that decode; anything else answers
// undefined and goes through express as before, so its answer (404, 400 for a bad escape) is
// unchanged. Pure.

export interface ResourceParams {
  group?: string;
  version: string;
  namespace?: string;
  plural: string;
  name?: string;
  sub?: string;
}

/** express's decodeParam, or undefined where it would throw (express answers that 400) */
function decode(seg: string): string | undefined {
  if (seg.indexOf('%') === -1) return seg;
  try {
    return decodeURIComponent(seg);
  } catch {
    return undefined;
  }
}

export function matchResourcePath(url: string): ResourceParams | undefined {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  if (path.indexOf('#') !== -1) return undefined;
  const segs = path.split('/');
  // segs[0] is '' (the leading slash); an empty segment anywhere else (//, a trailing /) is not plain
  if (segs[0] !== '') return undefined;
  for (let i = 1; i < segs.length; i++) if (segs[i] === '') return undefined;
  let rest: number;
  let group: string | undefined;
  if (segs[1] === 'api') rest = 3;
  else if (segs[1] === 'apis') {
    if (segs.length < 4) return undefined;
    rest = 4;
    group = segs[2];
  } else return undefined;
  if (segs.length <= rest) return undefined;
  const version = segs[rest - 1];
  const n = segs.length - rest;
  let p: ResourceParams;
  // the namespaced routes are registered first: namespaces/<ns>/<plural>[/<name>[/<sub>]]
  if (n >= 3 && n <= 5 && segs[rest] === 'namespaces') {
    p = { version, namespace: segs[rest + 1], plural: segs[rest + 2], name: segs[rest + 3], sub: segs[rest + 4] };
  } else if (n <= 3) {
    // express matches literals case-insensitively: a "NAMESPACES" segment is its business
    if (n >= 3 && segs[rest].toLowerCase() === 'namespaces') return undefined;
    p = { version, plural: segs[rest], name: segs[rest + 1], sub: segs[rest + 2] };
  } else return undefined;
  if (group !== undefined) p.group = group;
  const out: ResourceParams = { version: '', plural: '' };
  for (const k of ['group', 'version', 'namespace', 'plural', 'name', 'sub'] as const) {
    const v = p[k];
    if (v === undefined) continue;
    const d = decode(v);
    if (d === undefined) return undefined;
    out[k] = d;
  }
  return out;
}
