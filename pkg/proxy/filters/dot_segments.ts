// Path normalization before routing (Envoy's edge recommendation `normalize_path`, RFC 3986 §5.2.4
// and §6.2.2.2): `.` and `..` segments, plainly or percent-encoded (`%2e`, an unreserved character),
// are resolved before the router sees the path, and the normalized path is what goes upstream.
// Otherwise `/public/../admin` is routed by the `/public` rule while an upstream that normalizes
// (nginx, Go's ServeMux, most frameworks) serves /admin: the /admin rule's backend, rate limit and
// filters are skipped (path confusion). Other bytes (`//`, `%2F`) are left as they are. Pure.

/** Does the path hold a dot-segment (plain or percent-encoded)? The cheap test on the hot path. */
export function hasDotSegment(path: string): boolean {
  let i = path.indexOf('.');
  const pct = path.indexOf('%');
  if (i < 0 && pct < 0) return false;
  if (pct >= 0 && /%2e/i.test(path)) return true;
  for (; i >= 0; i = path.indexOf('.', i + 1)) {
    if (path.charCodeAt(i - 1) !== 47 /* '/' */) continue;
    const next = path.charCodeAt(i + 1);
    if (Number.isNaN(next) || next === 47) return true; // "/." at the end or "/./"
    if (next === 46 /* '.' */) {
      const after = path.charCodeAt(i + 2);
      if (Number.isNaN(after) || after === 47) return true; // "/.." at the end or "/../"
    }
  }
  return false;
}

/** The path (no query) with its dot-segments removed; unchanged when it has none. Always starts with '/'. */
export function removeDotSegments(path: string): string {
  if (!hasDotSegment(path)) return path;
  const input = path.replace(/%2e/gi, '.').split('/');
  const out: string[] = [];
  // input[0] is '' (the path starts with '/')
  for (let i = 1; i < input.length; i++) {
    const seg = input[i]!;
    const last = i === input.length - 1;
    if (seg === '.') {
      if (last) out.push('');
    } else if (seg === '..') {
      if (out.length > 0) out.pop();
      if (last) out.push('');
    } else out.push(seg);
  }
  return '/' + out.join('/');
}
