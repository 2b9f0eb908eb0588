// One object: summary, conditions, its relations (routes that use a Backend, Backends a route
// sends to), live endpoint health and traffic, the last changes, and the YAML.
import type { JSX } from 'preact';
import { useMemo } from 'preact/hooks';
import { ago, type KObject } from '../api';
import { useInformer, useStats, useTick } from '../hooks';
import { conditionsOf } from '../informer';
import { kindOf, type Kind } from '../kinds';
import { Badge, conditionTone, KeyValues, Link, Section } from '../ui/common';
import { toYaml } from '../yaml';
import { routeBackends } from './columns';
import { EndpointTable } from './Health';
import { SeriesCard } from './Traffic';
import { WatchState } from './WatchState';

export function Detail(props: { kind: Kind; name: string; canWrite: boolean }): JSX.Element {
  const { kind, name } = props;
  const inf = useInformer(kind);
  const routes = useInformer(kindOf('httproutes')!);
  const now = useTick(5000);
  const o = inf.items.get(name);
  const events = inf.events.get(name) ?? [];
  const isBackend = kind.plural === 'backends';
  const isRoute = kind.plural === 'httproutes';
  const { stats } = useStats(isBackend || isRoute ? 2000 : 3_600_000, true);
  const usedBy = useMemo(() => {
    if (!isBackend || !o) return [];
    return routes.list().filter((r) => routeBackends(r).includes(name) || (o.metadata.labels?.app && r.metadata.annotations?.['switchyard.dev/edge-app'] === o.metadata.labels.app));
  }, [routes.version, inf.version, name]);

  if (!o) {
    return (
      <div class="page">
        <h1>
          {kind.kind} {name}
        </h1>
        <p class={inf.synced ? 'error' : 'muted'} data-testid="not-found">
          {inf.synced ? `${kind.kind} ${name} does not exist${events[0]?.type === 'DELETED' ? ' any more: it was deleted' : ''}.` : 'loading…'}
        </p>
        <Link to={`/${kind.plural}`}>Back to {kind.title}</Link>
      </div>
    );
  }
  const conds = conditionsOf(o);
  const mf = [...(o.metadata.managedFields ?? [])].filter((m) => m.time).sort((a, b) => (a.time! < b.time! ? 1 : -1));
  const endpoints = stats?.endpoints.filter((e) => e.backend === name) ?? [];
  const backendSeries = stats?.backends.find((s) => s.key === name);
  const routeSeries = stats?.routes.find((s) => s.key === name);
  return (
    <div class="page detail-page">
      <header class="page-head">
        <h1>
          <span class="muted">{kind.kind}</span> {name}
        </h1>
        <WatchState inf={inf} />
        <div class="actions">
          {props.canWrite ? (
            <Link to={`/${kind.plural}/${encodeURIComponent(name)}/edit`} class="button primary" data-testid="edit">
              Edit YAML
            </Link>
          ) : (
            <button type="button" class="button" disabled title="read-only token" data-testid="edit">
              Edit YAML
            </button>
          )}
          <Link to={`/${kind.plural}`} class="button">
            All {kind.title}
          </Link>
        </div>
      </header>
      <div class="grid2">
        <Section title="Summary">
          <dl class="props">
            <dt>Created</dt>
            <dd>
              {o.metadata.creationTimestamp} ({ago(o.metadata.creationTimestamp, now)} ago)
            </dd>
            <dt>Generation</dt>
            <dd>
              {o.metadata.generation ?? '–'}
              {o.status?.observedGeneration !== undefined && <span class="muted"> (observed {o.status.observedGeneration})</span>}
            </dd>
            <dt>resourceVersion</dt>
            <dd data-testid="resource-version">{o.metadata.resourceVersion}</dd>
            <dt>Labels</dt>
            <dd>
              <KeyValues map={o.metadata.labels} />
            </dd>
            <dt>Annotations</dt>
            <dd>
              <KeyValues map={o.metadata.annotations} />
            </dd>
            {isBackend && (
              <>
                <dt>Used by routes</dt>
                <dd data-testid="used-by">
                  {usedBy.length === 0 ? (
                    <span class="muted">no HTTPRoute sends to it</span>
                  ) : (
                    usedBy.map((r) => (
                      <Link key={r.metadata.name} to={`/httproutes/${encodeURIComponent(r.metadata.name)}`} class="chip">
                        {r.metadata.name}
                      </Link>
                    ))
                  )}
                </dd>
              </>
            )}
            {isRoute && (
              <>
                <dt>Backends</dt>
                <dd>
                  {routeBackends(o).map((b) => (
                    <Link key={b} to={`/backends/${encodeURIComponent(b)}`} class="chip">
                      {b}
                    </Link>
                  ))}
                </dd>
              </>
            )}
          </dl>
        </Section>
        <Section title="Conditions">
          <ConditionTable conditions={conds} now={now} />
        </Section>
      </div>
      {(backendSeries || routeSeries) && (
        <Section title="Traffic (last 15 minutes)">
          <SeriesCard s={(backendSeries ?? routeSeries)!} kind={isBackend ? 'backend' : 'route'} />
        </Section>
      )}
      {isBackend && (
        <Section title="Endpoints">
          {endpoints.length ? <EndpointTable rows={endpoints} showBackend={false} /> : <p class="muted">{stats?.proxy === false ? 'this apiserver runs no proxy' : 'not served by the proxy yet'}</p>}
        </Section>
      )}
      <div class="grid2">
        <Section title="Last changes">
          <ChangeList o={o} events={events} mf={mf} now={now} />
        </Section>
        <Section title="YAML">
          <pre class="yaml" data-testid="detail-yaml" tabIndex={0}>
            {toYaml(o)}
          </pre>
        </Section>
      </div>
    </div>
  );
}

function ConditionTable(props: { conditions: ReturnType<typeof conditionsOf>; now: number }): JSX.Element {
  if (!props.conditions.length) return <p class="muted">no conditions reported</p>;
  return (
    <table class="plain">
      <thead>
        <tr>
          <th>Type</th>
          <th>Status</th>
          <th>Reason</th>
          <th>Message</th>
          <th>Since</th>
        </tr>
      </thead>
      <tbody>
        {props.conditions.map((c, i) => (
          <tr key={i}>
            <td>
              {c.parent && <span class="muted small">{c.parent}: </span>}
              {c.type}
            </td>
            <td>
              <Badge tone={conditionTone(c)}>{c.status}</Badge>
            </td>
            <td>{c.reason}</td>
            <td class="wrap">{c.message}</td>
            <td title={c.lastTransitionTime}>{ago(c.lastTransitionTime, props.now)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ChangeList(props: { o: KObject; events: Array<{ type: string; at: number; resourceVersion: string; summary: string }>; mf: NonNullable<KObject['metadata']['managedFields']>; now: number }): JSX.Element {
  return (
    <div>
      <h3 class="small muted">Seen by this console (watch)</h3>
      <ol class="events" data-testid="events">
        {props.events.map((e, i) => (
          <li key={i}>
            <Badge tone={e.type === 'DELETED' ? 'bad' : e.type === 'ADDED' ? 'info' : 'muted'}>{e.type}</Badge> <span>{e.summary}</span>{' '}
            <span class="muted small">
              rv {e.resourceVersion} · {ago(new Date(e.at).toISOString(), props.now)} ago
            </span>
          </li>
        ))}
      </ol>
      <h3 class="small muted">Writers (managedFields)</h3>
      <ol class="events">
        {props.mf.map((m, i) => (
          <li key={i}>
            <code>{m.manager}</code> {m.operation}
            {m.subresource ? ` (${m.subresource})` : ''} <span class="muted small">{ago(m.time, props.now)} ago</span>
          </li>
        ))}
      </ol>
    </div>
  );
}
