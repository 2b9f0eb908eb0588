// The revision a watch may claim in a BOOKMARK (periodic, or the last one on timeout/shutdown):
// never beyond what that watcher was sent or knows it did not need. A watcher following the
// watch cache was offered every event up to the cache's revision; one reading store history knows
// only its own progress notifications; one not yet following anything only what it wrote.
export type WatchSource = 'cache' | 'store' | 'none';

export function bookmarkRevision(source: WatchSource, lastSent: number, storeProgress: number, cacheLatest: number): number {
  switch (source) {
    case 'cache':
      return Math.max(lastSent, cacheLatest);
    case 'store':
      return Math.max(lastSent, storeProgress);
    default:
      return lastSent;
  }
}
