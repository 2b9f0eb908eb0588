import type { JSX } from 'preact';
import type { Informer } from '../informer';

/** live / connecting / error indicator for one informer */
export function WatchState(props: { inf: Informer }): JSX.Element {
  const i = props.inf;
  const state = i.error ? 'error' : i.synced ? 'live' : 'connecting';
  return (
    <span class={`watch ${state}`} role="status" data-testid="watch-state" data-rv={i.resourceVersion} data-applied={i.applied} title={i.error || `watching from resourceVersion ${i.resourceVersion}`}>
      <i aria-hidden="true" />
      {state === 'error' ? `reconnecting: ${i.error}` : state}
    </span>
  );
}
