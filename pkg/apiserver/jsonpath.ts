// The JSONPath subset CRD printer columns use: `.a.b`, `.a[0]`, `.a[*].b`, `.a[?(@.k=="v")].b`.
// Pure; evaluation never throws (a bad path prints <none>, as kubectl does).
type Step = { key: string } | { index: number } | { all: true } | { filter: { path: string[]; value: string } };

export function compileJsonPath(expr: string): (obj: unknown) => unknown[] {
  const steps = parse(expr.trim().replace(/^\{|\}$/g, ''));
  if (!steps) return () => [];
  return (obj) => evaluate(steps, [obj]);
}

function parse(expr: string): Step[] | null {
  const steps: Step[] = [];
  let i = 0;
  const s = expr.startsWith('$') ? expr.slice(1) : expr;
  while (i < s.length) {
    if (s[i] === '.') {
      const m = /^\.([A-Za-z0-9_$-]+)/.exec(s.slice(i));
      if (!m) return null;
      steps.push({ key: m[1] });
      i += m[0].length;
    } else if (s[i] === '[') {
      const end = s.indexOf(']', i);
      if (end < 0) return null;
      const inner = s.slice(i + 1, end);
      if (inner === '*') steps.push({ all: true });
      else if (/^-?\d+$/.test(inner)) steps.push({ index: Number(inner) });
      else {
        const f = /^\?\(@((?:\.[A-Za-z0-9_$-]+)+)\s*==\s*["']([^"']*)["']\)$/.exec(inner);
        if (f) steps.push({ filter: { path: f[1].split('.').slice(1), value: f[2] } });
        else if (/^["'].*["']$/.test(inner)) steps.push({ key: inner.slice(1, -1) });
        else return null;
      }
      i = end + 1;
    } else {
      return null;
    }
  }
  return steps;
}

function evaluate(steps: Step[], cur: unknown[]): unknown[] {
  for (const step of steps) {
    const next: unknown[] = [];
    for (const v of cur) {
      if ('key' in step) {
        if (v && typeof v === 'object' && !Array.isArray(v) && step.key in (v as object)) next.push((v as Record<string, unknown>)[step.key]);
      } else if ('index' in step) {
        if (Array.isArray(v)) {
          const idx = step.index < 0 ? v.length + step.index : step.index;
          if (idx >= 0 && idx < v.length) next.push(v[idx]);
        }
      } else if ('all' in step) {
        if (Array.isArray(v)) next.push(...v);
        else if (v && typeof v === 'object') next.push(...Object.values(v));
      } else if (Array.isArray(v)) {
        for (const el of v) {
          let x: unknown = el;
          for (const k of step.filter.path) x = x && typeof x === 'object' ? (x as Record<string, unknown>)[k] : undefined;
          if (x !== undefined && String(x) === step.filter.value) next.push(el);
        }
      }
    }
    cur = next;
  }
  return cur;
}
