import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendForwarded, stripHopByHop, unmapIPv4 } from './hop_by_hop';

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
