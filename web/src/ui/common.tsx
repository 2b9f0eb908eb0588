// The console's small component library: links, badges, condition badges, key/value lists, bars,
// label selectors and a filter bar.
import type { ComponentChildren, JSX } from 'preact';
import { BASE, navigate } from '../hooks';
import type { Condition } from '../informer';

export function Link(props: { to: string; children: ComponentChildren; class?: string; title?: string; 'data-testid'?: string }): JSX.Element {
  const { to, children, ...rest } = props;
  return (
    <a
      href={BASE + to}
      {...rest}
      onClick={(e) => {
        if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}

export type Tone = 'ok' | 'bad' | 'warn' | 'info' | 'muted';

export function Badge(props: { tone: Tone; children: ComponentChildren; title?: string; 'data-testid'?: string }): JSX.Element {
  return (
    <span class={`badge ${props.tone}`} title={props.title} data-testid={props['data-testid']}>
      {props.children}
    </span>
  );
}

/** Condition types where True is the bad news. */
const NEGATIVE = new Set(['Conflicted', 'Degraded', 'Stalled', 'Failed', 'Error']);

export function conditionTone(c: Condition): Tone {
  const neg = NEGATIVE.has(c.type);
  if (c.status === 'True') return neg ? 'bad' : 'ok';
  if (c.status === 'False') return neg ? 'ok' : 'bad';
  return 'warn';
}

export function ConditionBadges(props: { conditions: Condition[] }): JSX.Element {
  if (props.conditions.length === 0) return <span class="muted">none</span>;
  return (
    <span class="badges">
      {props.conditions.map((c, i) => (
        <Badge key={i} tone={conditionTone(c)} title={`${c.parent ? `parent ${c.parent}: ` : ''}${c.type}=${c.status}${c.reason ? ` (${c.reason})` : ''}${c.message ? `: ${c.message}` : ''}`}>
          {c.type}
        </Badge>
      ))}
    </span>
  );
}

export function KeyValues(props: { map?: Record<string, string>; empty?: string }): JSX.Element {
  const e = Object.entries(props.map ?? {});
  if (e.length === 0) return <span class="muted">{props.empty ?? 'none'}</span>;
  return (
    <span class="kvs">
      {e.map(([k, v]) => (
        <code key={k} class="kv">
          {k}={v}
        </code>
      ))}
    </span>
  );
}

/** active against soft and hard limits */
export function LimitBar(props: { value: number; soft: number | null; hard: number | null }): JSX.Element {
  const max = props.hard ?? (props.soft !== null ? props.soft * 1.5 : Math.max(10, props.value * 2));
  const pct = (n: number) => `${Math.min(100, (n / max) * 100)}%`;
  const tone = props.hard !== null && props.value >= props.hard ? 'bad' : props.soft !== null && props.value >= props.soft ? 'warn' : 'ok';
  return (
    <span class="limitbar" title={`active ${props.value}; soft ${props.soft ?? '∞'}; hard ${props.hard ?? '∞'}`}>
      <span class={`fill ${tone}`} style={{ width: pct(props.value) }} />
      {props.soft !== null && <span class="mark soft" style={{ left: pct(props.soft) }} />}
      <span class="label">
        {props.value} / {props.soft ?? '∞'} / {props.hard ?? '∞'}
      </span>
    </span>
  );
}

// ------------------------------------------------------------ label selectors (kube's grammar)

type Req = { key: string; op: '=' | '!=' | 'exists' | '!exists' | 'in' | 'notin'; values: string[] };

/** Parses `a=b,c!=d,e,!f,g in (x,y),h notin (z)`; throws on a malformed selector. */
export function parseSelector(s: string): Req[] {
  const out: Req[] = [];
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  for (const raw of parts) {
    const p = raw.trim();
    if (!p) continue;
    let m: RegExpMatchArray | null;
    if ((m = p.match(/^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/))) out.push({ key: m[1]!, op: m[2] as 'in' | 'notin', values: m[3]!.split(',').map((v) => v.trim()) });
    else if ((m = p.match(/^([\w./-]+)\s*!=\s*([\w./-]*)$/))) out.push({ key: m[1]!, op: '!=', values: [m[2]!] });
    else if ((m = p.match(/^([\w./-]+)\s*==?\s*([\w./-]*)$/))) out.push({ key: m[1]!, op: '=', values: [m[2]!] });
    else if ((m = p.match(/^!([\w./-]+)$/))) out.push({ key: m[1]!, op: '!exists', values: [] });
    else if ((m = p.match(/^([\w./-]+)$/))) out.push({ key: m[1]!, op: 'exists', values: [] });
    else throw new Error(`cannot parse "${p}"`);
  }
  return out;
}

export function matchesSelector(reqs: Req[], labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  for (const r of reqs) {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const v = l[r.key];
    switch (r.op) {
      case '=':
        if (!has || v !== r.values[0]) return false;
        break;
      case '!=':
        if (has && v === r.values[0]) return false;
        break;
      case 'exists':
        if (!has) return false;
        break;
      case '!exists':
        if (has) return false;
        break;
      case 'in':
        if (!has || !r.values.includes(v!)) return false;
        break;
      case 'notin':
        if (has && r.values.includes(v!)) return false;
        break;
    }
  }
  return true;
}

export function FilterBar(props: {
  name: string;
  labels?: string;
  onName(v: string): void;
  onLabels?(v: string): void;
  labelError?: string;
  children?: ComponentChildren;
}): JSX.Element {
  return (
    <div class="filters" role="search">
      <label>
        <span>Name</span>
        <input type="search" value={props.name} placeholder="filter by name" data-testid="filter-name" onInput={(e) => props.onName((e.target as HTMLInputElement).value)} />
      </label>
      {props.onLabels && (
        <label>
          <span>Labels</span>
          <input
            type="search"
            value={props.labels}
            placeholder="app=web,region in (eu,us)"
            data-testid="filter-labels"
            aria-invalid={props.labelError ? 'true' : undefined}
            onInput={(e) => props.onLabels!((e.target as HTMLInputElement).value)}
          />
        </label>
      )}
      {props.labelError && <span class="error small">{props.labelError}</span>}
      {props.children}
    </div>
  );
}

export function Section(props: { title: string; children: ComponentChildren; actions?: ComponentChildren; id?: string }): JSX.Element {
  return (
    <section class="card" aria-labelledby={props.id}>
      <header class="card-head">
        <h2 id={props.id}>{props.title}</h2>
        {props.actions}
      </header>
      {props.children}
    </section>
  );
}
