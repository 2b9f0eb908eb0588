// DNS cache inspector: one card per Backend cache (dynamicProxy, or FQDN endpoints).
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { fmtMs } from '../api';
import { useStats } from '../hooks';
import { Badge, FilterBar, Link, Section } from '../ui/common';

export function Dns(): JSX.Element {
  const { stats, error } = useStats(2000, false);
  const [name, setName] = useState('');
  const caches = (stats?.dns ?? []).filter((c) => c.backend.toLowerCase().includes(name.trim().toLowerCase()) || c.hosts.some((h) => h.host.includes(name.trim().toLowerCase())));
  return (
    <div class="page">
      <header class="page-head">
        <h1>DNS caches</h1>
        <span class="muted small">{stats ? `${stats.dns.length} caches` : 'loading…'}</span>
      </header>
      {error && <p class="error" role="alert">{error}</p>}
      {stats && !stats.proxy && <p class="muted">This apiserver runs no proxy: no DNS cache to show.</p>}
      <FilterBar name={name} onName={setName} />
      {stats && caches.length === 0 && <p class="muted">no DNS cache: no Backend is a dynamicProxy or has FQDN endpoints</p>}
      {caches.map((c) => {
        const used = c.hosts.length;
        const pct = c.maxHosts ? Math.min(100, (100 * used) / c.maxHosts) : 0;
        return (
          <Section key={c.backend} title={c.backend} id={`dns-${c.backend}`}>
            <div class="dns-head" data-testid={`dns-${c.backend}`}>
              <Badge tone="info">{c.mode}</Badge>
              <Link to={`/backends/${encodeURIComponent(c.backend)}`}>Backend</Link>
              <span class="meter" title={`${used} of ${c.maxHosts} hosts`}>
                hosts {used} / {c.maxHosts}
                <span class="bar">
                  <span class={pct > 90 ? 'bad' : pct > 70 ? 'warn' : 'ok'} style={{ width: `${pct}%` }} />
                </span>
              </span>
              <span>
                overflows <strong class={c.stats.overflows ? 'bad' : undefined}>{c.stats.overflows ?? 0}</strong>
              </span>
              <span class="muted small">
                queries {c.stats.queries ?? 0} · failures {c.stats.failures ?? 0} · timeouts {c.stats.timeouts ?? 0} · evictions {c.stats.evictions ?? 0} · refresh {fmtMs(Number(c.config.refreshRateMs))} · host TTL {fmtMs(Number(c.config.hostTTLMs))} · {String(c.config.lookupFamily)}
              </span>
            </div>
            {c.hosts.length === 0 ? (
              <p class="muted">no host resolved yet</p>
            ) : (
              <div class="scroll-x">
                <table class="plain" data-testid="dns-hosts">
                  <thead>
                    <tr>
                      <th>Host</th>
                      <th>State</th>
                      <th>Addresses</th>
                      <th>TTL left</th>
                      <th>Next refresh</th>
                      <th>Last used</th>
                      <th>Failures</th>
                    </tr>
                  </thead>
                  <tbody>
                    {c.hosts.map((h) => (
                      <tr key={`${h.host}:${h.port}`} data-testid="dns-host" data-host={h.host}>
                        <td>
                          <code>
                            {h.host}:{h.port}
                          </code>
                        </td>
                        <td>
                          <Badge tone={h.state === 'resolved' || h.state === 'ip' ? 'ok' : h.state === 'failed' ? 'bad' : 'warn'}>{h.state}</Badge>
                        </td>
                        <td>{h.addresses.join(', ') || <span class="muted">none</span>}</td>
                        <td>{h.ttlLeftMs === null ? <span class="muted">–</span> : fmtMs(h.ttlLeftMs)}</td>
                        <td>{h.nextRefreshInMs === null ? <span class="muted">in flight</span> : `in ${fmtMs(Math.max(0, h.nextRefreshInMs))}`}</td>
                        <td>{h.lastUsedAgoMs === null ? <span class="muted">never</span> : `${fmtMs(h.lastUsedAgoMs)} ago`}</td>
                        <td class={h.failures ? 'bad' : undefined}>
                          {h.failures}
                          {h.lastFailure ? ` (${h.lastFailure})` : ''}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </Section>
        );
      })}
    </div>
  );
}
