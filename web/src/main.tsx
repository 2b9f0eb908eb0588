// switchyard web console: login with a bearer token, then live views over the REST API's watches.
import { render, type JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, auth, probeWrite, whoAmI, type Who } from './api';
import { currentPath, navigate, useRoute } from './hooks';
import { informerFor, stopAll } from './informer';
import { KINDS, kindOf } from './kinds';
import { Link } from './ui/common';
import { lazyView, retryStylesheets } from './ui/lazy';
import { Dns } from './views/Dns';
import { Facades } from './views/Facades';
import { Health } from './views/Health';
import { ResourceList } from './views/ResourceList';
import './styles.css';

retryStylesheets();

const Detail = lazyView(() => import('./views/Detail').then((m) => m.Detail));
const Editor = lazyView(() => import('./views/Editor').then((m) => m.Editor));
const Traffic = lazyView(() => import('./views/Traffic').then((m) => m.Traffic));

const LIVE_VIEWS = [
  { path: '/traffic', title: 'Traffic' },
  { path: '/health', title: 'Endpoint health' },
  { path: '/dns', title: 'DNS caches' },
  { path: '/facades', title: 'Facades' },
];

function Login(props: { onLogin(who: Who): void; error?: string }): JSX.Element {
  const [token, setToken] = useState('');
  const [error, setError] = useState(props.error ?? '');
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    auth.token = token.trim();
    try {
      props.onLogin(await whoAmI());
    } catch (err) {
      auth.token = '';
      setError(err instanceof ApiError && err.code === 401 ? 'this token is not valid' : (err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="login" id="main">
      <form onSubmit={submit} class="card" aria-labelledby="login-title">
        <h1 id="login-title">switchyard</h1>
        <p class="muted">Sign in with a bearer token: the admin token from the generated kubeconfig (<code>users[0].user.token</code>), or a read-only token from <code>tokens.csv</code>.</p>
        <label>
          <span>Token</span>
          <input type="password" autocomplete="off" value={token} required autofocus data-testid="token" onInput={(e) => setToken((e.target as HTMLInputElement).value)} />
        </label>
        {error && (
          <p class="error" role="alert" data-testid="login-error">
            {error}
          </p>
        )}
        <button class="button primary" type="submit" disabled={busy || !token.trim()} data-testid="login">
          Sign in
        </button>
      </form>
    </main>
  );
}

function Nav(props: { path: string; who: Who; onLogout(): void }): JSX.Element {
  const active = (p: string) => props.path === p || props.path.startsWith(p + '/') || props.path === `/create${p}`;
  return (
    <header class="topbar">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <span class="brand">switchyard</span>
      <nav aria-label="views">
        <ul>
          {KINDS.map((k) => (
            <li key={k.plural}>
              <Link to={`/${k.plural}`} class={active(`/${k.plural}`) ? 'active' : undefined} data-testid={`nav-${k.plural}`}>
                {k.title}
              </Link>
            </li>
          ))}
          <li class="sep" aria-hidden="true" />
          {LIVE_VIEWS.map((v) => (
            <li key={v.path}>
              <Link to={v.path} class={active(v.path) ? 'active' : undefined} data-testid={`nav-${v.path.slice(1)}`}>
                {v.title}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <span class="who">
        {props.who.checking ? (
          <span class="badge muted" data-testid="role">
            checking…
          </span>
        ) : props.who.canWrite ? (
          <span class="badge ok" data-testid="role">
            admin
          </span>
        ) : (
          <span class="badge warn" data-testid="role" title="this token can read everything and change nothing">
            read-only
          </span>
        )}
        <button type="button" class="button small" onClick={props.onLogout}>
          Sign out
        </button>
      </span>
    </header>
  );
}

function View(props: { path: string; who: Who }): JSX.Element {
  const seg = props.path.split('/').filter(Boolean).map(decodeURIComponent);
  const canWrite = props.who.canWrite;
  if (seg.length === 0) return <Redirect to="/backends" />;
  if (seg[0] === 'traffic') return <Traffic.View />;
  if (seg[0] === 'health') return <Health />;
  if (seg[0] === 'dns') return <Dns />;
  if (seg[0] === 'facades') return <Facades />;
  if (seg[0] === 'create' && seg[1] && kindOf(seg[1])) return <Editor.View key={`create-${seg[1]}`} kind={kindOf(seg[1])!} canWrite={canWrite} />;
  const kind = kindOf(seg[0]!);
  if (kind) {
    if (seg.length === 1) return <ResourceList key={kind.plural} kind={kind} canWrite={canWrite} />;
    if (seg.length === 2) return <Detail.View key={`${kind.plural}/${seg[1]}`} kind={kind} name={seg[1]!} canWrite={canWrite} />;
    if (seg.length === 3 && seg[2] === 'edit') return <Editor.View key={`edit-${kind.plural}/${seg[1]}`} kind={kind} name={seg[1]!} canWrite={canWrite} />;
  }
  return (
    <div class="page">
      <h1>Not found</h1>
      <p>
        Nothing at <code>{props.path}</code>. <Link to="/backends">Backends</Link>
      </p>
    </div>
  );
}

function Redirect(props: { to: string }): null {
  useEffect(() => navigate(props.to, true), [props.to]);
  return null;
}

function App(): JSX.Element {
  const { path } = useRoute();
  // a token saved in this tab: show the views at once (their watches start in parallel with the
  // write probe; a 401 from either brings the login back)
  const [who, setWho] = useState<Who | null>(auth.token ? { canWrite: false, checking: true } : null);
  const [loginError, setLoginError] = useState('');

  useEffect(() => {
    if (!auth.token) return;
    probeWrite()
      .then(setWho)
      .catch((err) => {
        stopAll();
        auth.token = '';
        setWho(null);
        setLoginError(err instanceof ApiError && err.code === 401 ? 'the saved token is no longer valid' : (err as Error).message);
      });
  }, []);
  // the lazy views' code, fetched once the first view is up
  useEffect(() => {
    if (!who) return;
    const t = setTimeout(() => void Promise.all([Detail.preload(), Editor.preload(), Traffic.preload()]).catch(() => undefined), 300);
    return () => clearTimeout(t);
  }, [!!who]);
  useEffect(() => {
    const on = () => {
      stopAll();
      auth.token = '';
      setWho(null);
      setLoginError('the server refused the token; sign in again');
    };
    window.addEventListener('switchyard:unauthorized', on);
    return () => window.removeEventListener('switchyard:unauthorized', on);
  }, []);
  useEffect(() => {
    document.title = `${path.split('/').filter(Boolean).map(decodeURIComponent).join(' / ') || 'console'} · switchyard`;
  }, [path, who]);

  if (!who) return <Login onLogin={setWho} error={loginError} />;
  return (
    <div class="shell" data-testid="shell">
      <Nav
        path={path}
        who={who}
        onLogout={() => {
          stopAll();
          auth.token = '';
          setWho(null);
          setLoginError('');
        }}
      />
      <main id="main" tabIndex={-1}>
        <View path={path} who={who} />
      </main>
    </div>
  );
}

// a token saved in this tab: start the list + watch of the kind being opened before the first render
if (auth.token) {
  const first = currentPath().split('/').filter(Boolean)[0] ?? 'backends';
  const k = kindOf(first === 'create' ? '' : decodeURIComponent(first));
  if (k) informerFor(k).start();
}

render(<App />, document.getElementById('app')!);
