import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, parseDuration, parseGatewayDuration } from './duration';

test('parseDuration accepts Go duration syntax', () => {
  const cases: Array<[string, number]> = [
    ['60s', 60_000],
    ['1m30s', 90_000],
    ['5m', 300_000],
    ['1ms', 1],
    ['1h', 3_600_000],
    ['0s', 0],
    ['0', 0],
    ['1.5s', 1500],
    ['500us', 0.5],
    ['500µs', 0.5],
    ['500μs', 0.5],
    ['100ns', 0.0001],
    ['.5s', 500],
    ['1.s', 1000],
    ['-1s', -1000],
    ['+2s', 2000],
    ['1h2m3s4ms', 3_723_004],
    ['2h45m', 9_900_000],
  ];
  for (const [input, want] of cases) {
    const r = parseDuration(input);
    assert.ok(r.ok, `${input}: ${r.ok ? '' : r.error}`);
    assert.equal(r.ok && r.ms, want, input);
  }
});

test('parseDuration rejects malformed input', () => {
  for (const input of ['', '5', '1x', 's', '.s', '1.2.3s', 'abc', '-', ' 1s', '1s ', '1 s', '9999999999h']) {
    const r = parseDuration(input);
    assert.equal(r.ok, false, `${JSON.stringify(input)} should fail`);
    assert.match(!r.ok ? r.error : '', /^time: /);
  }
  // non-strings never throw
  assert.equal(parseDuration(5 as unknown as string).ok, false);
  assert.equal(parseDuration(null as unknown as string).ok, false);
});

test('parseGatewayDuration follows GEP-2257', () => {
  for (const [input, want] of [
    ['10s', 10_000],
    ['1h30m', 5_400_000],
    ['500ms', 500],
    ['0s', 0],
    ['1h1m1s1ms', 3_661_001],
  ] as Array<[string, number]>) {
    const r = parseGatewayDuration(input);
    assert.ok(r.ok, input);
    assert.equal(r.ok && r.ms, want);
  }
  for (const input of ['1.5s', '-1s', '500us', '0', '123456s', '1h1m1s1ms1s', '', '10']) {
    assert.equal(parseGatewayDuration(input).ok, false, input);
  }
});

test('formatDuration prints like Go', () => {
  const cases: Array<[number, string]> = [
    [0, '0s'],
    [60_000, '1m0s'],
    [90_000, '1m30s'],
    [3_600_000, '1h0m0s'],
    [5_400_000, '1h30m0s'],
    [1, '1ms'],
    [500, '500ms'],
    [1500, '1.5s'],
    [0.5, '500µs'],
    [0.0001, '100ns'],
    [1.5, '1.5ms'],
    [-1000, '-1s'],
  ];
  for (const [ms, want] of cases) assert.equal(formatDuration(ms), want, String(ms));
});

test('formatDuration round-trips through parseDuration', () => {
  for (const ms of [0, 1, 999, 1000, 61_001, 3_723_004, 86_400_000, 0.25]) {
    const r = parseDuration(formatDuration(ms));
    assert.ok(r.ok);
    assert.equal(r.ok && r.ms, ms);
  }
});
