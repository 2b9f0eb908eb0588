// pemCertificateBlocks finds what the lazy regex found, in one pass (the regex was quadratic on
// BEGIN lines without an END: a 1 MB ConfigMap cost the controller over a second per reconcile).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pemCertificateBlocks, parseCABundle } from './backendtls';

const RE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const B = '-----BEGIN CERTIFICATE-----';
const E = '-----END CERTIFICATE-----';

test('pemCertificateBlocks: the blocks the lazy regex finds', () => {
  for (const text of [
    '',
    `${B}\nAAA\n${E}\n`,
    `junk ${B}\nA\n${E}\n${B}\nB\n${E}`,
    `${B}${E}`, // no content between: not a block (the regex needs one character)
    `${B}x${E}`,
    `${B}\n${B}\nA\n${E}\n${E}`, // nested BEGIN: up to the first END
    `${B}\nA\n${E}\n${B}\nno end`,
    `${E}\n${B}\nA\n${E}${E}`,
    `${B}${B}${E}`,
  ]) assert.deepEqual(pemCertificateBlocks(text), text.match(RE) ?? [], JSON.stringify(text));
});

test('a bundle of BEGIN lines without an END: no certificate (one pass over 1 MB)', () => {
  const garbage = `${B}\n${'A'.repeat(64)}\n`.repeat(11_000);
  assert.deepEqual(pemCertificateBlocks(garbage), []);
  assert.deepEqual(parseCABundle(garbage), []);
});
