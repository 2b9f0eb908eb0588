// Views loaded on first use (the YAML library and the chart library stay out of the first load),
// fetched in the background once the first view has rendered.
import type { ComponentType, JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';

export function lazyView<P extends object>(load: () => Promise<ComponentType<P>>): { View: (props: P) => JSX.Element; preload(): Promise<unknown> } {
  let loaded: ComponentType<P> | null = null;
  let pending: Promise<unknown> | null = null;
  const preload = () =>
    (pending ??= load().then((c) => {
      loaded = c;
    }));
  function View(props: P): JSX.Element {
    const [, setReady] = useState(loaded !== null);
    useEffect(() => {
      if (loaded) return;
      let alive = true;
      void preload().then(() => alive && setReady(true));
      return () => {
        alive = false;
      };
    }, []);
    const C = loaded as ComponentType<P> | null;
    return C ? <C {...props} /> : <div class="page muted">loading…</div>;
  }
  return { View, preload };
}
