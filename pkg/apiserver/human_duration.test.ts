import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ageOf, humanDuration } from './human_duration';

test('humanDuration matches apimachinery HumanDuration', () => {
  const s = 1000;
  const cases: Array<[number, string]> = [
    [-5 * s, '<invalid>'], [-500, '0s'], [0, '0s'], [119 * s, '119s'], [120 * s, '2m'], [125 * s, '2m5s'],
    [10 * 60 * s, '10m'], [179 * 60 * s, '179m'], [3 * 3600 * s, '3h'], [3 * 3600 * s + 60 * s, '3h1m'],
    [8 * 3600 * s, '8h'], [47 * 3600 * s, '47h'], [48 * 3600 * s, '2d'], [49 * 3600 * s, '2d1h'],
    [8 * 24 * 3600 * s, '8d'], [729 * 24 * 3600 * s, '729d'], [730 * 24 * 3600 * s, '2y'], [731 * 24 * 3600 * s, '2y1d'],
    [9 * 365 * 24 * 3600 * s, '9y'],
  ];
  for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, `${ms}ms`);
});

test('ageOf reads RFC 3339 timestamps and tolerates junk', () => {
  const now = Date.parse('2026-01-01T00:10:00Z');
  assert.equal(ageOf('2026-01-01T00:00:00Z', now), '10m');
  assert.equal(ageOf(undefined, now), '<unknown>');
  assert.equal(ageOf('yesterday', now), '<unknown>');
});
