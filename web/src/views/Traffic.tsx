// Request rate, error rate and p50/p99 latency per route and per backend over the last 15 minutes,
// from the proxy's in-process rings (10 s buckets).
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { fmtMs } from '../api';
import { useStats, type SeriesReport } from '../hooks';
import { Chart } from '../ui/Chart';
import { FilterBar, Link, Section } from '../ui/common';

const MAX_CARDS = 60;

function lastMinute(s: SeriesReport): { rps: number; errPct: number | null } {
  const n = Math.max(1, Math.round(60_000 / s.step));
  const req = s.requests.slice(-n).reduce((a, b) => a + b, 0);
  const err = s.errors.slice(-n).reduce((a, b) => a + b, 0);
  return { rps: req / (n * (s.step / 1000)), errPct: req ? (100 * err) / req : null };
}

export function SeriesCard(props: { s: SeriesReport; kind: 'route' | 'backend' }): JSX.Element {
  const { s } = props;
  const x = s.requests.map((_, i) => (s.start + i * s.step) / 1000);
  const secs = s.step / 1000;
  const rate = s.requests.map((r) => r / secs);
  const errPct = s.requests.map((r, i) => (r ? (100 * s.errors[i]!) / r : null));
  const m = lastMinute(s);
  const link = props.kind === 'route' ? (s.key.startsWith('(') ? null : `/httproutes/${encodeURIComponent(s.key)}`) : s.key.startsWith('edge/') || s.key.startsWith('(') ? null : `/backends/${encodeURIComponent(s.key)}`;
  return (
    <article class="series" data-testid={`series-${props.kind}-${s.key}`} data-requests={s.total.requests}>
      <header>
        <h3>{link ? <Link to={link}>{s.key}</Link> : s.key}</h3>
        <dl class="figures">
          <dt>req/s (1 min)</dt>
          <dd>{m.rps.toFixed(m.rps < 10 ? 2 : 0)}</dd>
          <dt>errors (1 min)</dt>
          <dd class={m.errPct ? 'bad' : undefined}>{m.errPct === null ? '–' : `${m.errPct.toFixed(1)}%`}</dd>
          <dt>p50 / p99 (15 min)</dt>
          <dd>
            {fmtMs(s.total.p50)} / {fmtMs(s.total.p99)}
          </dd>
          <dt>requests (15 min)</dt>
          <dd>{s.total.requests}</dd>
        </dl>
      </header>
      <div class="charts">
        <Chart title="requests/s" x={x} series={[{ label: 'req/s', color: '#2563eb', values: rate }]} testId="chart-rate" />
        <Chart title="errors %" x={x} series={[{ label: 'errors %', color: '#dc2626', values: errPct }]} testId="chart-errors" />
        <Chart
          title="latency ms"
          x={x}
          series={[
            { label: 'p50', color: '#059669', values: s.p50 },
            { label: 'p99', color: '#d97706', values: s.p99 },
          ]}
          testId="chart-latency"
        />
      </div>
    </article>
  );
}

export function Traffic(): JSX.Element {
  const { stats, error } = useStats(2000, true);
  const [name, setName] = useState('');
  const f = (l: SeriesReport[]) => l.filter((s) => s.key.toLowerCase().includes(name.trim().toLowerCase())).sort((a, b) => b.total.requests - a.total.requests);
  const routes = stats ? f(stats.routes) : [];
  const backends = stats ? f(stats.backends) : [];
  return (
    <div class="page">
      <header class="page-head">
        <h1>Traffic</h1>
        <span class="muted small">last 15 minutes, 10 s buckets, from the proxy's in-process rings{stats ? ` · snapshot generation ${stats.generation}` : ''}</span>
      </header>
      {error && <p class="error" role="alert">{error}</p>}
      {stats && !stats.proxy && <p class="muted">This apiserver runs no proxy (`switchyard apiserver`): there is no traffic to show.</p>}
      <FilterBar name={name} onName={setName} />
      <Section title={`Routes (${routes.length})`}>
        {routes.length === 0 ? <p class="muted">no request through the proxy in the last 15 minutes</p> : routes.slice(0, MAX_CARDS).map((s) => <SeriesCard key={s.key} s={s} kind="route" />)}
      </Section>
      <Section title={`Backends (${backends.length})`}>
        {backends.length === 0 ? <p class="muted">no request reached a backend in the last 15 minutes</p> : backends.slice(0, MAX_CARDS).map((s) => <SeriesCard key={s.key} s={s} kind="backend" />)}
      </Section>
    </div>
  );
}
