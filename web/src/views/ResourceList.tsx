import type { JSX } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import { useInformer, useTick } from '../hooks';
import type { Kind } from '../kinds';
import { FilterBar, Link, matchesSelector, parseSelector } from '../ui/common';
import { VirtualTable } from '../ui/VirtualTable';
import { columnsFor } from './columns';
import { WatchState } from './WatchState';

export function ResourceList(props: { kind: Kind; canWrite: boolean }): JSX.Element {
  const { kind } = props;
  const inf = useInformer(kind);
  const q = new URLSearchParams(location.search);
  const [name, setName] = useState(q.get('name') ?? '');
  const [labels, setLabels] = useState(q.get('labels') ?? '');
  const now = useTick(10_000);
  const sync = (n: string, l: string) => {
    const p = new URLSearchParams();
    if (n) p.set('name', n);
    if (l) p.set('labels', l);
    history.replaceState(null, '', location.pathname + (p.toString() ? `?${p}` : ''));
  };
  let selErr = '';
  let reqs: ReturnType<typeof parseSelector> = [];
  try {
    reqs = parseSelector(labels);
  } catch (e) {
    selErr = (e as Error).message;
  }
  const rows = useMemo(() => {
    const needle = name.trim().toLowerCase();
    const out = inf.list().filter((o) => (!needle || o.metadata.name.toLowerCase().includes(needle)) && matchesSelector(reqs, o.metadata.labels));
    out.sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
    return out;
  }, [inf.version, name, labels]);
  const columns = useMemo(() => columnsFor(kind, now), [kind, now]);
  return (
    <div class="page list-page">
      <header class="page-head">
        <h1>
          {kind.title} <span class="count" data-testid="row-count">{rows.length === inf.items.size ? rows.length : `${rows.length} of ${inf.items.size}`}</span>
        </h1>
        <WatchState inf={inf} />
        <div class="actions">
          {props.canWrite ? (
            <Link to={`/create/${kind.plural}`} class="button primary" data-testid="create">
              Create {kind.kind}
            </Link>
          ) : (
            <button type="button" class="button" disabled title="read-only token">
              Create {kind.kind}
            </button>
          )}
        </div>
      </header>
      <FilterBar
        name={name}
        labels={labels}
        labelError={selErr}
        onName={(v) => {
          setName(v);
          sync(v, labels);
        }}
        onLabels={(v) => {
          setLabels(v);
          sync(name, v);
        }}
      />
      <VirtualTable
        rows={rows}
        columns={columns}
        rowKey={(o) => o.metadata.name}
        label={kind.title}
        testId={`table-${kind.plural}`}
        empty={inf.synced ? (inf.items.size ? 'no object matches the filters' : `no ${kind.title} yet`) : 'loading…'}
      />
    </div>
  );
}
