import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ListenerManager } from './listeners';

const noop = { request: () => undefined, upgrade: () => undefined };

test('onChange fires when bound ports, their listener ids or bind errors change, not on every reconcile', async () => {
  let changes = 0;
  const lm = new ListenerManager(noop, () => changes++);
  try {
    await lm.reconcile([{ id: 'default', host: '127.0.0.1', port: 0 }]);
    assert.equal(changes, 1);
    await lm.reconcile([{ id: 'default', host: '127.0.0.1', port: 0 }]);
    assert.equal(changes, 1, 'nothing changed');
    await lm.reconcile([{ id: 'default', host: '127.0.0.1', port: 0 }, { id: 'gw/a', host: '127.0.0.1', port: 0 }]);
    assert.equal(changes, 2, 'a listener id joined the port');
    await lm.reconcile([{ id: 'default', host: '127.0.0.1', port: 0 }, { id: 'gw/tls', host: '127.0.0.2', port: 0, tls: true }]);
    assert.equal(changes, 3, 'a bind error (no certificate) is a change');
    assert.match(lm.bindErrors.get('gw/tls') ?? '', /no certificate/);
    await lm.reconcile([{ id: 'default', host: '127.0.0.1', port: 0 }, { id: 'gw/tls', host: '127.0.0.2', port: 0, tls: true }]);
    assert.equal(changes, 3, 'the same error again is not');
  } finally {
    await lm.close();
  }
});
