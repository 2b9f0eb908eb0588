// End to end with the real binary: `kubectl apply` a Backend + HTTPRoute and traffic reaches the
// upstream (apply→routed latency measured over 20 applies and printed), `kubectl patch` moves new
// traffic to a new endpoint; with `switchyard apiserver` and `switchyard proxy --kubeconfig` as two
// processes, SIGKILL the apiserver → the proxy keeps routing every request for 10 s; restart it on
// the same data dir → a route applied afterwards is served (the controller resumed).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Upstream, defaultAgent, send, sleep } from './lib';
import { startSwitchyard, BIN, type SwitchyardProcess } from '../harness/switchyard';
import { freePort } from '../harness/ports';
import { spawnNode, waitExit } from '../harness/process';
import { Api, kubectlFor } from '../apiserver/lib';

let U1: Upstream, U2: Upstream;

before(async () => {
  [U1, U2] = await Promise.all([Upstream.start('U1'), Upstream.start('U2')]);
});

after(async () => {
  await Promise.all([U1, U2].map((u) => u.close()));
  await defaultAgent.close();
});

function manifest(name: string, host: string, port: number): string {
  return `apiVersion: core.apoxy.dev/v1alpha2
kind: Backend
metadata:
  name: ${name}
spec:
  endpoints:
  - ip: 127.0.0.1
    port: ${port}
---
apiVersion: gateway.apoxy.dev/v1
kind: HTTPRoute
metadata:
  name: ${name}
spec:
  hostnames: [${host}]
  rules:
  - backendRefs:
    - kind: Backend
      name: ${name}
`;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

/** Polls the proxy every 5 ms until `host` is answered by `upstream`; resolves with the time it was. */
async function routedAt(base: string, host: string, upstream: string, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await send(base, '/', { host, timeoutMs: 2000 }).catch(() => null);
    if (r && r.status === 200 && r.upstream === upstream) return performance.now();
    if (Date.now() > deadline) throw new Error(`${host} not routed to ${upstream} within ${timeoutMs} ms (last: ${r?.status} ${r?.text.slice(0, 200)})`);
    await sleep(5);
  }
}

test('serve: kubectl apply → routed (latency over 20 applies); kubectl patch moves new traffic to the new endpoint', { timeout: 120_000 }, async () => {
  const proxyPort = await freePort();
  const sy = await startSwitchyard({ extraArgs: ['--proxy-listen', `127.0.0.1:${proxyPort}`] });
  const base = `http://127.0.0.1:${proxyPort}`;
  const k = kubectlFor(sy.kubeconfig);
  try {
    await k.ok(['api-resources']); // warm kubectl's discovery cache once
    const fromStart: number[] = [];
    const fromExit: number[] = [];
    const kubectlMs: number[] = [];
    for (let i = 0; i < 20; i++) {
      const name = `lat-${i}`;
      const host = `${name}.test`;
      assert.equal((await send(base, '/', { host })).status, 404);
      const t0 = performance.now();
      let t1 = 0;
      const applied = k.ok(['apply', '-f', '-'], { input: manifest(name, host, U1.port) }).then((out) => {
        t1 = performance.now();
        return out;
      });
      const routed = routedAt(base, host, 'U1', 20_000);
      const [out, tr] = await Promise.all([applied, routed]);
      assert.match(out, /created/);
      fromStart.push(tr - t0);
      fromExit.push(Math.max(0, tr - t1));
      kubectlMs.push(t1 - t0);
    }
    const fmt = (xs: number[]) => `p50 ${pct(xs, 50).toFixed(1)} ms, p99 ${pct(xs, 99).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms`;
    console.log(`# apply→routed over 20 kubectl applies (Backend + HTTPRoute, polled every 5 ms):`);
    console.log(`#   from kubectl start: ${fmt(fromStart)}`);
    console.log(`#   from kubectl exit:  ${fmt(fromExit)}`);
    console.log(`#   kubectl apply itself: ${fmt(kubectlMs)}`);
    assert.ok(pct(fromExit, 50) < 2000, `apply→routed p50 ${pct(fromExit, 50)} ms`);

    // the same through the REST API (no kubectl process): from the HTTPRoute POST's answer
    const api = new Api(sy.apiURL, sy.caFile, sy.adminToken);
    try {
      const fromWrite: number[] = [];
      for (let i = 0; i < 20; i++) {
        const name = `api-${i}`;
        await api.create('/apis/core.apoxy.dev/v1alpha2/backends', { apiVersion: 'core.apoxy.dev/v1alpha2', kind: 'Backend', metadata: { name }, spec: { endpoints: [{ ip: '127.0.0.1', port: U1.port }] } });
        const routed = routedAt(base, `${name}.test`, 'U1', 20_000);
        await api.create('/apis/gateway.apoxy.dev/v1/httproutes', { apiVersion: 'gateway.apoxy.dev/v1', kind: 'HTTPRoute', metadata: { name }, spec: { hostnames: [`${name}.test`], rules: [{ backendRefs: [{ name }] }] } });
        const t1 = performance.now();
        fromWrite.push(Math.max(0, (await routed) - t1));
      }
      console.log(`#   REST API, from the HTTPRoute POST's 201: ${fmt(fromWrite)}`);
    } finally {
      await api.close();
    }

    // kubectl patch: the Backend's endpoint moves to U2
    await k.ok(['patch', 'backend', 'lat-0', '--type', 'merge', '-p', JSON.stringify({ spec: { endpoints: [{ ip: '127.0.0.1', port: U2.port }] } })]);
    await routedAt(base, 'lat-0.test', 'U2', 20_000);
    for (let i = 0; i < 20; i++) {
      const r = await send(base, '/', { host: 'lat-0.test' });
      assert.equal(r.upstream, 'U2', `request ${i} after the patch went to ${r.upstream || r.status}`);
    }
    // the other routes are untouched
    assert.equal((await send(base, '/', { host: 'lat-1.test' })).upstream, 'U1');
  } finally {
    await sy.stop();
  }
});

test('apiserver killed: the proxy keeps routing every request for 10 s; after a restart on the same data dir a new route is served', { timeout: 150_000 }, async () => {
  let sy: SwitchyardProcess = await startSwitchyard({ command: 'apiserver' });
  const proxyPort = await freePort();
  const proxy = spawnNode(BIN, ['proxy', '--kubeconfig', sy.kubeconfig, '--data-dir', sy.dataDir, '--proxy-listen', `127.0.0.1:${proxyPort}`], {
    env: { ...process.env, SWITCHYARD_LOG_LEVEL: 'info' },
  });
  const base = `http://127.0.0.1:${proxyPort}`;
  const k = kubectlFor(sy.kubeconfig);
  try {
    await proxy.waitForLine((l) => l.includes('switchyard is ready'), 30_000);
    await k.ok(['apply', '-f', '-'], { input: manifest('before', 'before.test', U1.port) });
    await routedAt(base, 'before.test', 'U1', 20_000);

    sy.child.kill('SIGKILL');
    assert.ok(await waitExit(sy.child, 5000), 'apiserver is gone');
    const until10s = Date.now() + 10_000;
    let sent = 0;
    const failures: string[] = [];
    while (Date.now() < until10s) {
      const r = await send(base, '/', { host: 'before.test', timeoutMs: 2000 }).catch((e: Error) => ({ status: 0, upstream: '', text: e.message }));
      sent++;
      if (r.status !== 200 || r.upstream !== 'U1') failures.push(`${r.status} ${r.text.slice(0, 100)}`);
      await sleep(10);
    }
    console.log(`# apiserver down: ${sent} requests in 10 s, ${failures.length} failed`);
    assert.ok(sent >= 100, `only ${sent} requests sent`);
    assert.deepEqual(failures, [], 'every request routed while the apiserver was down');
    assert.equal(proxy.child.exitCode, null, 'the proxy is still running');

    sy = await sy.restart();
    const t0 = performance.now();
    await k.ok(['apply', '-f', '-'], { input: manifest('after', 'after.test', U2.port) });
    const t = await routedAt(base, 'after.test', 'U2', 30_000);
    console.log(`# after the apiserver restart, a new route was routed ${(t - t0).toFixed(0)} ms after kubectl apply started`);
    assert.equal((await send(base, '/', { host: 'before.test' })).upstream, 'U1', 'the old route is still served');
  } finally {
    await proxy.kill('SIGTERM');
    await sy.stop();
  }
});
