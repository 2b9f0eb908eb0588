// Edit or create through YAML. Apply sends the object to the API (PUT or POST) with
// fieldValidation=Strict, so the server validates it; Validate is the same call with dryRun=All.
// An invalid object changes nothing, and each of the server's field errors is listed beside the
// YAML with the line that holds its field.
import type { JSX } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, call, type KObject } from '../api';
import { navigate, useInformer } from '../hooks';
import { apiVersionOf, collectionPath, itemPath, type Kind } from '../kinds';
import { Link } from '../ui/common';
import { lineOfFieldPath, parseYaml, toYaml } from '../yaml';

interface Problem {
  field?: string;
  message: string;
  line: number | null;
}

const TEMPLATES: Record<string, (k: Kind) => KObject> = {
  backends: (k) => ({ apiVersion: apiVersionOf(k), kind: k.kind, metadata: { name: 'my-backend', labels: {} }, spec: { endpoints: [{ ip: '127.0.0.1', port: 8080 }] } }),
  httproutes: (k) => ({
    apiVersion: apiVersionOf(k),
    kind: k.kind,
    metadata: { name: 'my-route' },
    spec: { hostnames: ['example.com'], rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ kind: 'Backend', name: 'my-backend', port: 8080 }] }] },
  }),
  grpcroutes: (k) => ({
    apiVersion: apiVersionOf(k),
    kind: k.kind,
    metadata: { name: 'my-grpc-route' },
    spec: { hostnames: ['grpc.example.com'], rules: [{ matches: [{ method: { service: 'helloworld.Greeter', method: 'SayHello' } }], backendRefs: [{ kind: 'Backend', name: 'my-backend', port: 50051 }] }] },
  }),
  gateways: (k) => ({ apiVersion: apiVersionOf(k), kind: k.kind, metadata: { name: 'my-gateway' }, spec: { gatewayClassName: 'switchyard', listeners: [{ name: 'http', protocol: 'HTTP', port: 10000 }] } }),
  proxies: (k) => ({ apiVersion: apiVersionOf(k), kind: k.kind, metadata: { name: 'my-proxy' }, spec: { provider: 'unmanaged' } }),
};

export function Editor(props: { kind: Kind; name?: string; canWrite: boolean }): JSX.Element {
  const { kind, name } = props;
  const inf = useInformer(kind);
  const stored = name ? inf.items.get(name) : undefined;
  const [text, setText] = useState<string | null>(name ? null : toYaml(TEMPLATES[kind.plural]!(kind)));
  const [problems, setProblems] = useState<Problem[]>([]);
  const [message, setMessage] = useState<{ tone: 'ok' | 'bad'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const area = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (text === null && stored) setText(toYaml(stored));
  }, [stored, text]);

  const value = text ?? '';
  const lines = useMemo(() => value.split('\n').length, [value]);
  const badLines = new Set(problems.map((p) => p.line).filter((l): l is number => l !== null));

  const goToLine = (line: number) => {
    const ta = area.current;
    if (!ta) return;
    const starts = value.split('\n');
    let off = 0;
    for (let i = 0; i < line - 1 && i < starts.length; i++) off += starts[i]!.length + 1;
    ta.focus();
    ta.setSelectionRange(off, off + (starts[line - 1]?.length ?? 0));
    const lh = parseFloat(getComputedStyle(ta).lineHeight) || 18;
    ta.scrollTop = Math.max(0, (line - 3) * lh);
  };

  const submit = async (dryRun: boolean) => {
    setMessage(null);
    const parsed = parseYaml(value);
    if (parsed.error) {
      setProblems([{ message: `YAML: ${parsed.error.message}`, line: parsed.error.line }]);
      setMessage({ tone: 'bad', text: 'the YAML does not parse; nothing was sent' });
      return;
    }
    const obj = parsed.value!;
    const qs = `?fieldValidation=Strict&fieldManager=switchyard-console${dryRun ? '&dryRun=All' : ''}`;
    setBusy(true);
    try {
      const saved = name ? await call<KObject>('PUT', itemPath(kind, name) + qs, obj) : await call<KObject>('POST', collectionPath(kind) + qs, obj);
      setProblems([]);
      if (dryRun) {
        setMessage({ tone: 'ok', text: 'valid: the server accepted it (dry run, nothing stored)' });
      } else {
        setMessage({ tone: 'ok', text: `${name ? 'updated' : 'created'} (resourceVersion ${saved.metadata.resourceVersion})` });
        navigate(`/${kind.plural}/${encodeURIComponent(saved.metadata.name)}`);
      }
    } catch (err) {
      if (err instanceof ApiError) {
        const causes = err.causes.filter((c) => c.field || c.message);
        setProblems(
          causes.length
            ? causes.map((c) => ({ field: c.field, message: c.message ?? c.reason ?? '', line: c.field ? lineOfFieldPath(value, c.field) : null }))
            : [{ message: err.message, line: null }],
        );
        setMessage({ tone: 'bad', text: `${err.code} ${err.status?.reason ?? ''}: ${err.message}`.trim() });
      } else {
        setMessage({ tone: 'bad', text: (err as Error).message });
      }
    } finally {
      setBusy(false);
    }
  };

  const title = name ? `Edit ${kind.kind} ${name}` : `Create ${kind.kind}`;
  if (name && !stored && inf.synced) {
    return (
      <div class="page">
        <h1>{title}</h1>
        <p class="error">{kind.kind} {name} does not exist (any more).</p>
      </div>
    );
  }
  return (
    <div class="page editor-page">
      <header class="page-head">
        <h1>{title}</h1>
        {!props.canWrite && (
          <span class="badge warn" data-testid="readonly-note">
            read-only token: the server will refuse to apply
          </span>
        )}
        <div class="actions">
          <button type="button" class="button" disabled={busy || text === null} onClick={() => void submit(true)} data-testid="validate">
            Validate
          </button>
          <button type="button" class="button primary" disabled={busy || text === null || !props.canWrite} onClick={() => void submit(false)} data-testid="apply">
            Apply
          </button>
          {name && stored && (
            <button
              type="button"
              class="button"
              onClick={() => {
                setText(toYaml(stored));
                setProblems([]);
                setMessage(null);
              }}
            >
              Reset
            </button>
          )}
          <Link to={name ? `/${kind.plural}/${encodeURIComponent(name)}` : `/${kind.plural}`} class="button">
            Cancel
          </Link>
        </div>
      </header>
      {message && (
        <p class={`message ${message.tone}`} role={message.tone === 'bad' ? 'alert' : 'status'} data-testid="editor-message">
          {message.text}
        </p>
      )}
      <div class="editor">
        <div class="code">
          <div class="gutter" ref={gutter} aria-hidden="true">
            {Array.from({ length: lines }, (_, i) => (
              <div key={i} class={badLines.has(i + 1) ? 'bad' : undefined}>
                {i + 1}
              </div>
            ))}
          </div>
          <textarea
            ref={area}
            value={value}
            spellcheck={false}
            aria-label={`${kind.kind} YAML`}
            data-testid="yaml"
            wrap="off"
            onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
            onScroll={(e) => {
              if (gutter.current) gutter.current.scrollTop = (e.target as HTMLTextAreaElement).scrollTop;
            }}
            onKeyDown={(e) => {
              if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') {
                e.preventDefault();
                void submit(false);
              }
            }}
          />
        </div>
        <aside class="problems" aria-label="errors" data-testid="problems">
          <h2>{problems.length ? `${problems.length} problem${problems.length > 1 ? 's' : ''}` : 'Server-side validation'}</h2>
          {problems.length === 0 && <p class="muted small">Apply and Validate send the object to the API with fieldValidation=Strict; its field errors show here. Ctrl+Enter applies.</p>}
          <ul>
            {problems.map((p, i) => (
              <li key={i} data-testid="problem" data-field={p.field ?? ''}>
                {p.field && <code class="field">{p.field}</code>}
                <span>{p.message}</span>
                {p.line !== null && (
                  <button type="button" class="link" onClick={() => goToLine(p.line!)}>
                    line {p.line}
                  </button>
                )}
              </li>
            ))}
          </ul>
        </aside>
      </div>
    </div>
  );
}
