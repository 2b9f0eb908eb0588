// Endpoint health: per endpoint healthy / unhealthy / ejected / circuit open, active requests
// against the soft and hard limits, and the last active health-check result.
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { fmtMs } from '../api';
import { useStats, type EndpointReport } from '../hooks';
import { Badge, FilterBar, LimitBar, Link, type Tone } from '../ui/common';

const STATUS: Record<EndpointReport['status'], [Tone, string]> = {
  healthy: ['ok', 'healthy'],
  unhealthy: ['bad', 'unhealthy'],
  ejected: ['bad', 'ejected'],
  'circuit-open': ['bad', 'circuit open'],
  'at-limit': ['warn', 'at hard limit'],
};

export function EndpointTable(props: { rows: EndpointReport[]; showBackend?: boolean }): JSX.Element {
  return (
    <table class="plain" data-testid="endpoints">
      <thead>
        <tr>
          {props.showBackend !== false && <th>Backend</th>}
          <th>Endpoint</th>
          <th>Status</th>
          <th>Breaker</th>
          <th>Active / soft / hard</th>
          <th>Last health check</th>
          <th>Ejections</th>
          <th>Region</th>
        </tr>
      </thead>
      <tbody>
        {props.rows.map((e) => {
          const [tone, text] = STATUS[e.status];
          return (
            <tr key={`${e.backend}|${e.id}`} data-testid="endpoint-row" data-endpoint={e.id} data-backend={e.backend} data-status={e.status}>
              {props.showBackend !== false && <td>{e.backend.startsWith('edge/') ? <span title="edgeProxy pool of a route">{e.backend}</span> : <Link to={`/backends/${encodeURIComponent(e.backend)}`}>{e.backend}</Link>}</td>}
              <td>
                <code>{e.id}</code>
                {e.weight !== 1 && <span class="muted small"> w{e.weight}</span>}
              </td>
              <td>
                <Badge tone={tone} data-testid="endpoint-status">
                  {text}
                </Badge>
                {e.ejected && <span class="muted small"> for {fmtMs(e.ejectedForMs)}</span>}
              </td>
              <td>
                {e.breaker === null ? <span class="muted">none</span> : <Badge tone={e.breaker === 'closed' ? 'ok' : e.breaker === 'open' ? 'bad' : 'warn'}>{e.breaker}</Badge>}
                {e.breakerRetryInMs !== null && <span class="muted small"> retry in {fmtMs(e.breakerRetryInMs)}</span>}
              </td>
              <td>
                <LimitBar value={e.active} soft={e.softLimit} hard={e.hardLimit} />
              </td>
              <td>
                {e.activeHealthCheck ? (
                  e.lastResult === null ? (
                    <span class="muted">not probed yet</span>
                  ) : (
                    <>
                      <Badge tone={e.lastResult === 'success' ? 'ok' : 'bad'}>{e.lastResult}</Badge> <span class="muted small">{fmtMs(e.lastCheckedAgoMs)} ago</span>
                    </>
                  )
                ) : (
                  <span class="muted">no active check</span>
                )}
              </td>
              <td>{e.passiveHealthCheck ? e.ejections : <span class="muted">–</span>}</td>
              <td>{e.region ?? ''}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export function Health(): JSX.Element {
  const { stats, error } = useStats(2000, false);
  const [name, setName] = useState('');
  const [onlyBad, setOnlyBad] = useState(false);
  const rows = (stats?.endpoints ?? []).filter((e) => e.backend.toLowerCase().includes(name.trim().toLowerCase()) && (!onlyBad || e.status !== 'healthy'));
  const bad = (stats?.endpoints ?? []).filter((e) => e.status !== 'healthy').length;
  return (
    <div class="page">
      <header class="page-head">
        <h1>Endpoint health</h1>
        <span class="muted small">
          {stats ? `${stats.endpoints.length} endpoints, ${bad} not healthy` : 'loading…'}
        </span>
      </header>
      {error && <p class="error" role="alert">{error}</p>}
      {stats && !stats.proxy && <p class="muted">This apiserver runs no proxy: no endpoint state to show.</p>}
      <FilterBar name={name} onName={setName}>
        <label class="check">
          <input type="checkbox" checked={onlyBad} onChange={(e) => setOnlyBad((e.target as HTMLInputElement).checked)} /> only not healthy
        </label>
      </FilterBar>
      <div class="scroll-x card">{rows.length ? <EndpointTable rows={rows} /> : <p class="muted">no endpoint</p>}</div>
    </div>
  );
}
