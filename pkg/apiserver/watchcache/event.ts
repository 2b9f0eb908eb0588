// An event as the watch cache keeps it: the object once, and each wire encoding made at most once
// for all watchers that want it (kube's cacher serializes an event once, not once per watcher).
import type { KObject } from '../../../apis/meta/v1/types';
import type { WatchEventType } from '../../storage/interface';

export class CachedEvent {
  private lines?: Map<string, string>;

  constructor(
    readonly type: WatchEventType,
    readonly object: KObject,
    readonly revision: number,
    readonly prevObject?: KObject,
  ) {}

  /** `{"type":…,"object":…}\n` with apiVersion rewritten for the requested version. */
  line(apiVersion: string): string {
    let l = this.lines?.get(apiVersion);
    if (l === undefined) {
      const obj = this.object.apiVersion === apiVersion ? this.object : { ...this.object, apiVersion };
      l = `{"type":"${this.type}","object":${JSON.stringify(obj)}}\n`;
      (this.lines ??= new Map()).set(apiVersion, l);
    }
    return l;
  }
}
