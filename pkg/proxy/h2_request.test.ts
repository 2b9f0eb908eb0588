import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Http2ServerRequest } from 'node:http2';
import { adaptH2Request } from './h2_request';
import { classifyPreface } from './h2_listener';

/** a stand-in for node's compat request: rawHeaders is a getter, as there */
function fakeReq(raw: string[], method = 'GET'): Http2ServerRequest {
  const headers: Record<string, string> = {};
  for (let i = 0; i < raw.length; i += 2) headers[raw[i]] = raw[i + 1];
  const o = { headers, method, httpVersionMajor: 2 };
  Object.defineProperty(o, 'rawHeaders', { get: () => raw, configurable: true });
  return o as unknown as Http2ServerRequest;
}

describe('adaptH2Request', () => {
  it('drops pseudo-headers from the raw list and makes :authority the Host', () => {
    const req = fakeReq([':method', 'GET', ':path', '/x', ':authority', 'a.test', ':scheme', 'https', 'accept', '*/*']);
    assert.equal(adaptH2Request(req), null);
    assert.deepEqual(req.rawHeaders, ['host', 'a.test', 'accept', '*/*']);
    assert.equal(req.headers.host, 'a.test');
    assert.equal(req.headers[':path'], '/x', 'the compat request still reads its url from the pseudo keys');
  });
  it(':authority wins over a Host field, and a second Host is dropped', () => {
    const req = fakeReq([':authority', 'a.test', 'host', 'b.test', 'x', '1']);
    req.rawHeaders.push('host', 'c.test');
    assert.equal(adaptH2Request(req), null);
    assert.deepEqual(req.rawHeaders, ['host', 'a.test', 'x', '1']);
  });
  it('is 431 above the header byte limit, 501 for CONNECT, 400 without any authority', () => {
    assert.equal(adaptH2Request(fakeReq([':authority', 'a', 'x', 'v'.repeat(70_000)]))?.status, 431);
    assert.equal(adaptH2Request(fakeReq([':authority', 'a:1'], 'CONNECT'))?.status, 501);
    assert.equal(adaptH2Request(fakeReq([':path', '/']))?.status, 400);
  });
});

describe('classifyPreface', () => {
  it('tells the h2c preface from HTTP/1.1 and waits on a proper prefix', () => {
    assert.equal(classifyPreface(Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0')), 'h2');
    assert.equal(classifyPreface(Buffer.from('PRI * HT')), 'more');
    assert.equal(classifyPreface(Buffer.from('P')), 'more');
    assert.equal(classifyPreface(Buffer.from('POST / HTTP/1.1\r\n')), 'h1');
    assert.equal(classifyPreface(Buffer.from('GET')), 'h1');
  });
});
