// Process-exit cleanup shared by the harness: child processes first (SIGKILL), then temp dirs.
// Runs on normal exit and on SIGINT/SIGTERM/SIGHUP (then re-raises the signal so the exit status
// is the usual one). Everything here is synchronous, as an 'exit' handler must be.
type Hook = () => void;

const hooks: { order: number; fn: Hook }[] = [];
let installed = false;
let ran = false;

function runAll(): void {
  if (ran) return;
  ran = true;
  for (const h of [...hooks].sort((a, b) => a.order - b.order)) {
    try {
      h.fn();
    } catch {
      /* best effort */
    }
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', runAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      runAll();
      process.kill(process.pid, sig);
    });
  }
}

/** Register a synchronous hook; lower `order` runs first (processes: 0, files: 10). */
export function onExit(fn: Hook, order = 5): () => void {
  install();
  const entry = { order, fn };
  hooks.push(entry);
  return () => {
    const i = hooks.indexOf(entry);
    if (i >= 0) hooks.splice(i, 1);
  };
}
