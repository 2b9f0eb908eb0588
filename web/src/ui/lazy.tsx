// Views loaded on first use (the YAML library and the chart library stay out of the first load),
// fetched in the background once the first view has rendered.
// A failed fetch is not final: the browser gives up on a request now and then (a connection reset
// under load: Chromium's ERR_TOO_MANY_RETRIES), and a view stuck on "loading…" until a reload is
// worse than a second try. A stylesheet that fails does not block its view (retryStylesheets), and
// a script that fails is tried again a few times, then the view says so and offers a retry.
import type { ComponentType, JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';

const RETRY_DELAYS_MS = [250, 1000, 3000];

export function lazyView<P extends object>(load: () => Promise<ComponentType<P>>): { View: (props: P) => JSX.Element; preload(): Promise<unknown> } {
  let loaded: ComponentType<P> | null = null;
  let pending: Promise<unknown> | null = null;
  const attempt = async (): Promise<void> => {
    for (let i = 0; ; i++) {
      try {
        loaded = await load();
        return;
      } catch (err) {
        if (i >= RETRY_DELAYS_MS.length) throw err;
        await new Promise((r) => setTimeout(r, RETRY_DELAYS_MS[i]));
      }
    }
  };
  // a failure is forgotten, so the next preload() (a retry, a later visit) fetches again
  const preload = () => (pending ??= attempt().catch((err: unknown) => {
    pending = null;
    throw err;
  }));
  function View(props: P): JSX.Element {
    const [, setReady] = useState(loaded !== null);
    const [error, setError] = useState<string | null>(null);
    const [tries, setTries] = useState(0);
    useEffect(() => {
      if (loaded) return;
      let alive = true;
      setError(null);
      preload().then(
        () => alive && setReady(true),
        (err: unknown) => alive && setError(err instanceof Error ? err.message : String(err)),
      );
      return () => {
        alive = false;
      };
    }, [tries]);
    const C = loaded as ComponentType<P> | null;
    if (C) return <C {...props} />;
    if (error) {
      return (
        <div class="page">
          <p class="error" role="alert">
            This view could not be loaded: {error}
          </p>
          <button type="button" onClick={() => setTries((n) => n + 1)}>
            Try again
          </button>
        </div>
      );
    }
    return <div class="page muted">loading…</div>;
  }
  return { View, preload };
}

/**
 * A lazily loaded view's stylesheet that fails to load must not keep the view from rendering:
 * Vite rejects the whole import then. Let the import go on and fetch the stylesheet again.
 */
export function retryStylesheets(): void {
  window.addEventListener('vite:preloadError', (e) => {
    const msg = String((e as Event & { payload?: unknown }).payload ?? '');
    const m = /Unable to preload CSS for (\S+)/.exec(msg);
    if (!m) return; // a script: lazyView retries the import
    e.preventDefault();
    const href = m[1]!;
    let tries = 0;
    const again = () => {
      const link = document.createElement('link');
      link.rel = 'stylesheet';
      link.href = href;
      link.addEventListener('error', () => {
        link.remove();
        if (++tries < RETRY_DELAYS_MS.length) setTimeout(again, RETRY_DELAYS_MS[tries]);
      });
      document.head.appendChild(link);
    };
    setTimeout(again, RETRY_DELAYS_MS[0]);
  });
}
