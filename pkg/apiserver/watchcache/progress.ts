// Which progress notifications the watch cache believes. A progress notification says "nothing
// for this watch is pending at or below revision P". etcd before 3.4.25 / 3.5.8 (etcd#15220)
// may answer a progress *request* ahead of events it has already queued on the stream, so one
// notification alone is not proof. A revision is trusted once a later notification follows it:
// the later one was asked for after the earlier one arrived, by which time the stream has
// delivered what was queued before it. (Events never need this: they arrive in revision order.)
export class ProgressTracker {
  private candidate = 0;

  /** The cache (re)started at a list: earlier notifications mean nothing now. */
  reset(): void {
    this.candidate = 0;
  }

  /** Records a notification; returns the revision now trusted (0: none yet). */
  sawProgress(revision: number): number {
    const trusted = this.candidate;
    if (revision > this.candidate) this.candidate = revision;
    return trusted;
  }
}
