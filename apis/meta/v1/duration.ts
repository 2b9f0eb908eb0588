// Durations as metav1.Duration carries them on the wire: Go's time.ParseDuration syntax
// ("60s", "1m30s", "1.5s", "500us", "0"), and Gateway API's stricter GEP-2257 subset.
// Parsed values are milliseconds (fractions allowed: "500us" is 0.5).

export type DurationResult = { ok: true; ms: number } | { ok: false; error: string };

const NS_PER_UNIT: Record<string, number> = {
  ns: 1,
  us: 1e3,
  'µs': 1e3, // U+00B5 micro sign
  'μs': 1e3, // U+03BC greek mu
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** Go's maximum time.Duration: 2^63-1 nanoseconds (about 292 years). */
const MAX_NS = 9223372036854775807;

const fail = (s: string, why: string): DurationResult => ({
  ok: false,
  error: `time: ${why} ${JSON.stringify(s)}`,
});

/** Parse a Go duration string into milliseconds, exactly as time.ParseDuration accepts it. */
export function parseDuration(s: string): DurationResult {
  if (typeof s !== 'string') return { ok: false, error: 'time: duration must be a string' };
  let rest = s;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    if (rest[0] === '-') sign = -1;
    rest = rest.slice(1);
  }
  if (rest === '0') return { ok: true, ms: 0 };
  if (rest === '') return fail(s, 'invalid duration');
  let totalNs = 0;
  while (rest !== '') {
    const m = /^([0-9]*)(?:\.([0-9]*))?/.exec(rest);
    const whole = m?.[1] ?? '';
    const frac = m?.[2];
    if (whole === '' && (frac === undefined || frac === '')) return fail(s, 'invalid duration');
    rest = rest.slice(m![0].length);
    const u = /^[^0-9.]+/.exec(rest);
    if (!u) return fail(s, 'missing unit in duration');
    const unit = u[0];
    const perUnit = NS_PER_UNIT[unit];
    if (perUnit === undefined) return fail(s, `unknown unit ${JSON.stringify(unit)} in duration`);
    rest = rest.slice(unit.length);
    const value = Number(`${whole || '0'}.${frac || '0'}`) * perUnit;
    if (!Number.isFinite(value) || value > MAX_NS) return fail(s, 'invalid duration');
    totalNs += value;
    if (totalNs > MAX_NS) return fail(s, 'invalid duration');
  }
  // Round to whole nanoseconds, as Go does, then express in milliseconds.
  return { ok: true, ms: (sign * Math.round(totalNs)) / 1e6 };
}

/** Like parseDuration, but throws an Error instead of returning one. */
export function mustParseDuration(s: string): number {
  const r = parseDuration(s);
  if (!r.ok) throw new Error(r.error);
  return r.ms;
}

/**
 * Gateway API Duration (GEP-2257): one to four `<1-5 digits><h|m|s|ms>` parts, no sign, no
 * fractions, no µs/ns ("1h30m", "500ms", "0s"). Returns milliseconds.
 */
export const GATEWAY_DURATION_PATTERN = '^([0-9]{1,5}(h|m|s|ms)){1,4}$';
const GATEWAY_DURATION_RE = new RegExp(GATEWAY_DURATION_PATTERN);

export function parseGatewayDuration(s: string): DurationResult {
  if (typeof s !== 'string' || !GATEWAY_DURATION_RE.test(s)) {
    return {
      ok: false,
      error: `must be a Gateway API duration: 1 to 4 parts of up to 5 digits with a unit h, m, s or ms (e.g. "10s", "1h30m", "500ms")`,
    };
  }
  return parseDuration(s);
}

/** Format milliseconds the way Go's time.Duration.String() does: "1m30s", "1h0m0s", "500ms", "0s". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  let ns = Math.round(ms * 1e6);
  if (ns === 0) return '0s';
  const neg = ns < 0;
  if (neg) ns = -ns;
  let out: string;
  if (ns < 1e9) {
    // Below one second Go picks the largest unit that keeps a non-zero integer part.
    if (ns < 1e3) out = `${ns}ns`;
    else if (ns < 1e6) out = `${trimFrac(ns / 1e3)}µs`;
    else out = `${trimFrac(ns / 1e6)}ms`;
  } else {
    const h = Math.floor(ns / 3600e9);
    ns -= h * 3600e9;
    const m = Math.floor(ns / 60e9);
    ns -= m * 60e9;
    const s = `${trimFrac(ns / 1e9)}s`;
    out = h > 0 ? `${h}h${m}m${s}` : m > 0 ? `${m}m${s}` : s;
  }
  return neg ? `-${out}` : out;
}

function trimFrac(v: number): string {
  // at most 9 fractional digits (nanoseconds), no trailing zeros
  return v.toFixed(9).replace(/\.?0+$/, '');
}
