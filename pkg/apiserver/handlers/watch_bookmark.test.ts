// Bookmarks never claim a revision the watcher was not brought to.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bookmarkRevision } from './watch_bookmark';

test('a watcher reading store history claims its own progress, not the cache revision', () => {
  assert.equal(bookmarkRevision('store', 10, 0, 50), 10, 'replaying history: only what was sent');
  assert.equal(bookmarkRevision('store', 10, 30, 50), 30, 'a progress notification of its own watch');
});

test('a watcher following the cache claims the cache revision (it was offered every event up to it)', () => {
  assert.equal(bookmarkRevision('cache', 10, 0, 50), 50);
  assert.equal(bookmarkRevision('cache', 60, 0, 50), 60, 'a future start revision stays');
});

test('a watcher not yet following anything (initial list in flight) claims only what it wrote', () => {
  assert.equal(bookmarkRevision('none', 7, 99, 99), 7);
});
