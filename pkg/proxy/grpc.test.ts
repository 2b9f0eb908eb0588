import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { encodeGrpcMessage, grpcStatusForHTTP, isGrpcRequest, takeTrailersOnlyStatus, upstreamTrailers } from './grpc';

const req = (ct?: string) => ({ headers: ct === undefined ? {} : { 'content-type': ct } }) as IncomingMessage;

describe('grpc helpers', () => {
  it('recognises application/grpc and its codecs only', () => {
    assert.ok(isGrpcRequest(req('application/grpc')));
    assert.ok(isGrpcRequest(req('application/grpc+proto')));
    assert.ok(isGrpcRequest(req('application/grpc; charset=utf-8')));
    assert.ok(!isGrpcRequest(req('application/grpc-web')));
    assert.ok(!isGrpcRequest(req('application/json')));
    assert.ok(!isGrpcRequest(req()));
  });
  it('maps the proxy statuses to gRPC codes', () => {
    assert.equal(grpcStatusForHTTP(503), 14);
    assert.equal(grpcStatusForHTTP(502), 14);
    assert.equal(grpcStatusForHTTP(504), 4);
    assert.equal(grpcStatusForHTTP(429), 8);
    assert.equal(grpcStatusForHTTP(404), 12);
    assert.equal(grpcStatusForHTTP(500), 13);
  });
  it('percent-encodes grpc-message', () => {
    assert.equal(encodeGrpcMessage('no upstream: 100%'), 'no upstream: 100%25');
    assert.equal(encodeGrpcMessage('é\n'), '%C3%A9%0A');
  });
  it('moves a trailers-only status out of the headers', () => {
    const flat = ['content-type', 'application/grpc', 'grpc-status', '5', 'grpc-message', 'gone', 'x', '1'];
    assert.deepEqual({ ...takeTrailersOnlyStatus(flat) }, { 'grpc-status': '5', 'grpc-message': 'gone' });
    assert.deepEqual(flat, ['content-type', 'application/grpc', 'x', '1']);
    assert.equal(takeTrailersOnlyStatus(['content-type', 'application/grpc']), null);
  });
  it('reads HTTP/2 trailers from the raw object when the parsed ones are empty, without pseudo-headers', () => {
    assert.deepEqual({ ...upstreamTrailers({}, { 'grpc-status': '0', ':status': '200' }) }, { 'grpc-status': '0' });
    assert.deepEqual({ ...upstreamTrailers({ 'grpc-status': '3' }, undefined) }, { 'grpc-status': '3' });
    assert.equal(upstreamTrailers({}, {}), null);
  });
});
