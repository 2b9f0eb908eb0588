import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendForwarded, forwardRequestHeaders, stripHopByHop, unmapIPv4 } from './hop_by_hop';
import { setHeader } from './header_list';

test('stripHopByHop drops hop-by-hop headers and the ones Connection names', () => {
  const table: Array<{ name: string; raw: string[]; upgrade?: boolean; want: string[] }> = [
    {
      name: 'the fixed list, any case',
      raw: ['Host', 'example.com:8080', 'Connection', 'keep-alive', 'Keep-Alive', 'timeout=5', 'PROXY-CONNECTION', 'x', 'TE', 'trailers', 'Trailer', 'X-T', 'Transfer-Encoding', 'chunked', 'Upgrade', 'websocket', 'Accept', '*/*'],
      want: ['Host', 'example.com:8080', 'Accept', '*/*'],
    },
    {
      name: 'headers named in Connection, several values and Connection headers',
      raw: ['Connection', 'close, X-Foo ,x-bar', 'X-Foo', '1', 'connection', 'X-Baz', 'X-Bar', '2', 'x-baz', '3', 'X-Keep', 'k'],
      want: ['X-Keep', 'k'],
    },
    {
      name: 'Connection can never remove Host',
      raw: ['Host', 'h:1', 'Connection', 'Host, X-A', 'X-A', 'a'],
      want: ['Host', 'h:1'],
    },
    {
      name: 'nothing to drop',
      raw: ['Host', 'h', 'Accept', '*/*'],
      want: ['Host', 'h', 'Accept', '*/*'],
    },
    {
      name: 'an upgrade request keeps Upgrade and sends Connection: upgrade',
      raw: ['Host', 'h', 'Connection', 'Upgrade, HTTP2-Settings', 'Upgrade', 'websocket', 'HTTP2-Settings', 'x', 'Sec-WebSocket-Key', 'k'],
      upgrade: true,
      want: ['Host', 'h', 'Upgrade', 'websocket', 'Sec-WebSocket-Key', 'k', 'Connection', 'upgrade'],
    },
    {
      name: 'upgrade mode without an Upgrade header adds no Connection',
      raw: ['Host', 'h', 'Connection', 'keep-alive'],
      upgrade: true,
      want: ['Host', 'h'],
    },
    {
      name: 'not an upgrade: Upgrade is dropped',
      raw: ['Connection', 'upgrade', 'Upgrade', 'websocket', 'Sec-WebSocket-Key', 'k'],
      want: ['Sec-WebSocket-Key', 'k'],
    },
  ];
  for (const c of table) {
    const input = c.raw.slice();
    assert.deepEqual(stripHopByHop(input, c.upgrade), c.want, c.name);
    assert.deepEqual(input, c.raw, `${c.name}: input untouched`);
  }
});

test('appendForwarded: X-Forwarded-For appended, Proto and Host only when absent', () => {
  const table: Array<{ name: string; raw: string[]; ip: string | undefined; proto: string; host: string | undefined; want: string[] }> = [
    {
      name: 'all absent',
      raw: ['Host', 'h:8080'],
      ip: '10.0.0.1',
      proto: 'http',
      host: 'h:8080',
      want: ['Host', 'h:8080', 'X-Forwarded-For', '10.0.0.1', 'X-Forwarded-Proto', 'http', 'X-Forwarded-Host', 'h:8080'],
    },
    {
      name: 'existing values: For appended with ", ", Proto and Host kept',
      raw: ['x-forwarded-for', '1.1.1.1', 'X-Forwarded-Proto', 'https', 'x-forwarded-host', 'orig.io'],
      ip: '::ffff:10.0.0.2',
      proto: 'http',
      host: 'h',
      want: ['x-forwarded-for', '1.1.1.1, 10.0.0.2', 'X-Forwarded-Proto', 'https', 'x-forwarded-host', 'orig.io'],
    },
    {
      name: 'several X-Forwarded-For headers: the last one is extended',
      raw: ['X-Forwarded-For', '1.1.1.1', 'X-Forwarded-For', '2.2.2.2'],
      ip: '::1',
      proto: 'https',
      host: undefined,
      want: ['X-Forwarded-For', '1.1.1.1', 'X-Forwarded-For', '2.2.2.2, ::1', 'X-Forwarded-Proto', 'https'],
    },
    {
      name: 'an empty X-Forwarded-For gets just the IP; an empty host adds no X-Forwarded-Host',
      raw: ['X-Forwarded-For', ' '],
      ip: '3.3.3.3',
      proto: 'http',
      host: '',
      want: ['X-Forwarded-For', '3.3.3.3', 'X-Forwarded-Proto', 'http'],
    },
    {
      name: 'no client IP',
      raw: [],
      ip: undefined,
      proto: 'http',
      host: 'h',
      want: ['X-Forwarded-Proto', 'http', 'X-Forwarded-Host', 'h'],
    },
  ];
  for (const c of table) {
    const input = c.raw.slice();
    assert.deepEqual(appendForwarded(input, c.ip, c.proto, c.host), c.want, c.name);
    assert.deepEqual(input, c.raw, `${c.name}: input untouched`);
  }
  assert.equal(unmapIPv4('::ffff:1.2.3.4'), '1.2.3.4');
  assert.equal(unmapIPv4('::ffff:abcd'), '::ffff:abcd');
  assert.equal(unmapIPv4('2001:db8::1'), '2001:db8::1');
});

test('forwardRequestHeaders is the strip → forwarded → host → request-id pipeline in one pass', () => {
  // every combination of a small alphabet of names (cases, duplicates, Connection values), against the pipeline
  const names = ['Host', 'host', 'HOST', 'X-Forwarded-For', 'x-forwarded-for', 'X-Forwarded-Proto', 'X-Forwarded-Host', 'x-request-id', 'X-Request-Id', 'Connection', 'Keep-Alive', 'Proxy-Connection', 'TE', 'Trailer', 'Transfer-Encoding', 'Upgrade', 'User-Agent', 'Accept', 'X-Foo', 'Cookie', 'Content-Length', 'a-very-long-header-name-past-thirty-two-chars'];
  const values = ['v', '', ' 10.0.0.1 ', 'keep-alive', 'Close', 'upgrade', 'X-Foo', 'close, X-Foo', 'HOST'];
  let seed = 12345;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const pipeline = (raw: string[], ip: string | undefined, proto: string, host: string | undefined, rh: string | undefined, rid: string | undefined) => {
    let h = appendForwarded(stripHopByHop(raw), ip, proto, host);
    if (rh !== undefined) h = setHeader(h, 'host', rh);
    if (rid !== undefined) h = setHeader(h, 'x-request-id', rid);
    return h;
  };
  let fast = 0;
  for (let n = 0; n < 20000; n++) {
    const raw: string[] = [];
    const count = rnd(8);
    for (let i = 0; i < count; i++) raw.push(names[rnd(names.length)], values[rnd(values.length)]);
    const ip = [undefined, '', '10.1.2.3', '::ffff:10.1.2.3', '::1'][rnd(5)];
    const proto = rnd(2) ? 'http' : 'https';
    const host = [undefined, '', 'example.com:8080'][rnd(3)];
    const rh = rnd(3) === 0 ? 'rewritten.example' : undefined;
    const rid = rnd(2) ? 'rid-1' : undefined;
    const got = forwardRequestHeaders(raw, ip, proto, host, rh, rid);
    const want = pipeline(raw.slice(), ip, proto, host, rh, rid);
    if (got === null) {
      // only when some Connection header names other headers
      assert.ok(raw.some((x, i) => i % 2 === 0 && x.toLowerCase() === 'connection' && !['keep-alive', 'close', 'upgrade', ''].includes(raw[i + 1].toLowerCase())), JSON.stringify(raw));
      continue;
    }
    fast++;
    assert.deepEqual(got, want, JSON.stringify({ raw, ip, proto, host, rh, rid }));
  }
  assert.ok(fast > 10000);
});

test("stripHopByHop keeps Via (this proxy's loop token) even when Connection names it; other named headers go", () => {
  const raw = ['Host', 'a', 'Connection', 'close, Via, X-Gone', 'X-Gone', '1', 'Via', '1.1 switchyard-abc'];
  assert.deepEqual(stripHopByHop(raw), ['Host', 'a', 'Via', '1.1 switchyard-abc']);
  assert.equal(forwardRequestHeaders(raw, '10.0.0.1', 'http', 'a', undefined, undefined), null, 'the general path handles named headers');
});
