// --dns-max-pending: at most N first lookups in flight per process; a new host above it is a 503
// "DNS cache overflow" at once (no query), while hosts that need no lookup are still served.
// The DNS server here is a UDP socket that never answers, so first lookups stay pending until
// the Backend's dnsQueryTimeout.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as dgram from 'node:dgram';
import { BACKENDS, HTTPROUTES, backendObj, raw, routeObj, startServe, until, upstream, type Serve, type Upstream } from './control_lib';

describe('--dns-max-pending', () => {
  let s: Serve;
  let up: Upstream;
  let silent: dgram.Socket;
  let questions = 0;

  before(async () => {
    up = await upstream('origin');
    silent = dgram.createSocket('udp4');
    silent.on('message', () => questions++);
    await new Promise<void>((r) => silent.bind(0, '127.0.0.1', () => r()));
    const dnsServer = `127.0.0.1:${silent.address().port}`;
    s = await startServe(['--dns-server', dnsServer, '--dns-max-pending', '2', '--forward-proxy-deny', 'none']);
    await s.admin.create(BACKENDS, backendObj('fwd', { dynamicProxy: { dnsCacheConfig: { dnsLookupFamily: 'v4_only', dnsQueryTimeout: '3s' } } }));
    await s.admin.create(HTTPROUTES, routeObj('fwd', { rules: [{ backendRefs: [{ kind: 'Backend', name: 'fwd' }] }] }));
    await until(async () => (await raw(s.proxyPort, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${up.port}\r\nConnection: close\r\n\r\n`)).status, [0, 404], 'the forward route');
  });
  after(async () => {
    await s?.stop();
    await up?.close();
    silent?.close();
  });

  it('two first lookups pending: a third new host is 503 DNS cache overflow with no query; an IP literal is still served', async () => {
    const slow = [raw(s.proxyPort, 'GET / HTTP/1.1\r\nHost: one.invalid-test\r\nConnection: close\r\n\r\n', 10_000), raw(s.proxyPort, 'GET / HTTP/1.1\r\nHost: two.invalid-test\r\nConnection: close\r\n\r\n', 10_000)];
    // both lookups are out (the silent server saw their questions)
    await until(async () => questions, [0, 1], 'two DNS questions', 5_000);
    const asked = questions;
    const over = await raw(s.proxyPort, 'GET / HTTP/1.1\r\nHost: three.invalid-test\r\nConnection: close\r\n\r\n');
    assert.equal(over.status, 503, over.text);
    assert.match(over.text, /DNS cache overflow/);
    assert.equal(questions, asked, 'no question for the refused host');
    // positive control on the same proxy, while the budget is full: an IP literal needs no lookup
    const ok = await raw(s.proxyPort, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${up.port}\r\nConnection: close\r\n\r\n`);
    assert.equal(ok.status, 200, ok.text);
    // the pending ones end at dnsQueryTimeout (503 resolution failure) and free their slots
    for (const r of await Promise.all(slow)) assert.equal(r.status, 503, r.text);
    const after = await raw(s.proxyPort, 'GET / HTTP/1.1\r\nHost: four.invalid-test\r\nConnection: close\r\n\r\n', 10_000);
    assert.equal(after.status, 503);
    assert.doesNotMatch(after.text, /overflow/, 'a slot was free again: a lookup was tried');
  });
});
