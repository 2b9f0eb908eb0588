// Hop-by-hop header handling for a forwarding proxy (RFC 9110 §7.6.1) and the X-Forwarded-*
// headers, over node's flat raw header arrays ([name, value, ...]). Both return new arrays.
//
// stripHopByHop drops Connection, Keep-Alive, Proxy-Connection, TE, Trailer, Transfer-Encoding,
// Upgrade and every header named in Connection's value. For an upgrade request (the caller decides:
// WebSocket pass-through) Upgrade is kept and a single `Connection: upgrade` is sent instead.
// `Host` and `Via` are never removed, even when Connection names them (the upstream must see the Host
// unchanged; Via holds this proxy's loop-detection token).
// TE is dropped too; an HTTP/2 upstream that needs `te: trailers` (gRPC) must have it re-added.

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

/** Header names of these lengths may be hop-by-hop; others skip the lower-casing. */
const HOP_LENGTHS = new Uint8Array(32);
for (const n of HOP_BY_HOP) HOP_LENGTHS[n.length] = 1;

/** The lower-case tokens of Connection header values that name other headers to drop. */
function connectionTokens(raw: readonly string[]): string[] | null {
  let out: string[] | null = null;
  const end = raw.length - 1;
  for (let i = 0; i < end; i += 2) {
    const n = raw[i];
    if (n.length !== 10 || n.toLowerCase() !== 'connection') continue;
    const v = raw[i + 1];
    // the common values name nothing to drop besides themselves
    if (v.length <= 10) {
      const lv = v.toLowerCase();
      if (lv === 'keep-alive' || lv === 'close' || lv === 'upgrade' || lv === '') continue;
    }
    const parts = v.split(',');
    for (let j = 0; j < parts.length; j++) {
      const t = parts[j].trim().toLowerCase();
      // Via carries this proxy's own loop token (appended before forwarding): a client that names it
      // in Connection must not strip it and hide a loop from the next pass
      if (t.length === 0 || t === 'close' || t === 'host' || t === 'via' || HOP_BY_HOP.has(t)) continue;
      if (out === null) out = [];
      out.push(t);
    }
  }
  return out;
}

export function stripHopByHop(raw: readonly string[], upgrade = false): string[] {
  const named = connectionTokens(raw);
  const out: string[] = [];
  let hasUpgrade = false;
  const end = raw.length - 1;
  for (let i = 0; i < end; i += 2) {
    const name = raw[i];
    const len = name.length;
    if ((len < 32 && HOP_LENGTHS[len] === 1) || named !== null) {
      const lname = name.toLowerCase();
      if (HOP_BY_HOP.has(lname)) {
        if (upgrade && lname === 'upgrade') {
          hasUpgrade = true;
          out.push(name, raw[i + 1]);
        }
        continue;
      }
      if (named !== null && named.includes(lname)) continue;
    }
    out.push(name, raw[i + 1]);
  }
  if (hasUpgrade) out.push('Connection', 'upgrade');
  return out;
}

/** `::ffff:10.0.0.1` → `10.0.0.1` (node reports IPv4 clients of a dual-stack socket that way). */
export function unmapIPv4(ip: string): string {
  return ip.length > 7 && ip.startsWith('::ffff:') && ip.indexOf('.', 7) > 0 ? ip.slice(7) : ip;
}

/**
 * Appends the client IP to X-Forwarded-For (`existing, ip`; added when absent; skipped when the IP
 * is unknown) and adds X-Forwarded-Proto and X-Forwarded-Host only when the request has none
 * (an earlier proxy's values are kept). Returns a new array.
 */
export function appendForwarded(
  raw: readonly string[],
  clientIp: string | undefined,
  proto: string,
  host: string | undefined,
): string[] {
  const out = raw.slice();
  let xff = -1;
  let hasProto = false;
  let hasHost = false;
  const end = out.length - 1;
  for (let i = 0; i < end; i += 2) {
    const n = out[i];
    if (n.length === 15) {
      const l = n.toLowerCase();
      if (l === 'x-forwarded-for') xff = i + 1;
    } else if (n.length === 17) {
      const l = n.toLowerCase();
      if (l === 'x-forwarded-proto') hasProto = true;
    } else if (n.length === 16) {
      const l = n.toLowerCase();
      if (l === 'x-forwarded-host') hasHost = true;
    }
  }
  finishForwarded(out, xff, hasProto, hasHost, clientIp, proto, host);
  return out;
}

/** Name lengths the one-pass forwardRequestHeaders must look at (hop-by-hop, x-forwarded-*, host, x-request-id). */
const FORWARD_LENGTHS = new Uint8Array(32);
for (const n of HOP_BY_HOP) FORWARD_LENGTHS[n.length] = 1;
for (const n of ['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'host', 'x-request-id']) FORWARD_LENGTHS[n.length] = 1;

/**
 * The request headers sent upstream, in one pass over the raw list: exactly
 * `setHeader(setHeader(appendForwarded(stripHopByHop(raw), clientIp, proto, host), 'host', rewriteHost), 'x-request-id', requestId)`
 * (each setHeader only when its value is given). Returns null when a Connection header names other
 * headers to drop (rare): the caller then takes that general path.
 */
export function forwardRequestHeaders(
  raw: readonly string[],
  clientIp: string | undefined,
  proto: string,
  host: string | undefined,
  rewriteHost: string | undefined,
  requestId: string | undefined,
): string[] | null {
  const out: string[] = [];
  let xff = -1;
  let hasProto = false;
  let hasHost = false;
  let hostSet = false;
  let idSet = false;
  const end = raw.length - 1;
  for (let i = 0; i < end; i += 2) {
    const name = raw[i];
    const len = name.length;
    if (len >= 32 || FORWARD_LENGTHS[len] !== 1) {
      out.push(name, raw[i + 1]);
      continue;
    }
    const l = name.toLowerCase();
    if (HOP_BY_HOP.has(l)) {
      if (l === 'connection') {
        // the common values name nothing to drop besides themselves (see connectionTokens)
        const v = raw[i + 1];
        if (v.length > 10) return null;
        const lv = v.toLowerCase();
        if (lv !== 'keep-alive' && lv !== 'close' && lv !== 'upgrade' && lv !== '') return null;
      }
      continue;
    }
    switch (l) {
      case 'x-forwarded-for':
        xff = out.length + 1;
        break;
      case 'x-forwarded-proto':
        hasProto = true;
        break;
      case 'x-forwarded-host':
        hasHost = true;
        break;
      case 'host':
        if (rewriteHost !== undefined) {
          if (!hostSet) out.push(name, rewriteHost);
          hostSet = true;
          continue;
        }
        break;
      case 'x-request-id':
        if (requestId !== undefined) {
          if (!idSet) out.push(name, requestId);
          idSet = true;
          continue;
        }
        break;
    }
    out.push(name, raw[i + 1]);
  }
  finishForwarded(out, xff, hasProto, hasHost, clientIp, proto, host);
  if (rewriteHost !== undefined && !hostSet) out.push('host', rewriteHost);
  if (requestId !== undefined && !idSet) out.push('x-request-id', requestId);
  return out;
}

/**
 * The X-Forwarded-* step both builders end with: append the client to X-Forwarded-For (the value at
 * `xff`, or a new header), and add X-Forwarded-Proto / -Host unless the client sent them.
 */
function finishForwarded(out: string[], xff: number, hasProto: boolean, hasHost: boolean, clientIp: string | undefined, proto: string, host: string | undefined): void {
  if (clientIp !== undefined && clientIp.length !== 0) {
    const ip = unmapIPv4(clientIp);
    if (xff >= 0) {
      const v = out[xff].trim();
      out[xff] = v.length === 0 ? ip : v + ', ' + ip;
    } else {
      out.push('X-Forwarded-For', ip);
    }
  }
  if (!hasProto) out.push('X-Forwarded-Proto', proto);
  if (!hasHost && host !== undefined && host.length !== 0) out.push('X-Forwarded-Host', host);
}
