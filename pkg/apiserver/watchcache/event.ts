// An event as the watch cache keeps it: the object once, and each wire encoding made at most once
// for all watchers that want it (kube's cacher serializes an event once, not once per watcher).
// The encoding is bytes, not a string: every watcher writes the same Buffer, so no watcher
// re-encodes the text (a string written to a socket is converted to bytes per write).
import type { KObject } from '../../../apis/meta/v1/types';
import type { WatchEventType } from '../../storage/interface';
import { objectJSON } from './serialized';

/**
 * One event's line, `{"type":…,"object":…}\n`, in one apiVersion: `chunk` is the line framed as
 * one HTTP/1.1 chunk (`<hex length>\r\n<line>\r\n`, what a chunked response writes for it), and
 * `body` a view of the line alone inside it (no copy).
 */
export interface WireLine {
  chunk: Buffer;
  body: Buffer;
}

export class CachedEvent {
  /** the first version asked for (nearly always the only one) */
  private firstVersion?: string;
  private first?: WireLine;
  private others?: Map<string, WireLine>;

  constructor(
    readonly type: WatchEventType,
    readonly object: KObject,
    readonly revision: number,
    readonly prevObject?: KObject,
  ) {}

  /** The line with apiVersion rewritten for the requested version, made once per version. */
  wire(apiVersion: string): WireLine {
    if (this.firstVersion === apiVersion) return this.first!;
    let w = this.others?.get(apiVersion);
    if (w) return w;
    w = wireLine(this.type, objectJSON(this.object, apiVersion));
    if (this.firstVersion === undefined) {
      this.firstVersion = apiVersion;
      this.first = w;
    } else {
      (this.others ??= new Map()).set(apiVersion, w);
    }
    return w;
  }

  /** bytes held by the encodings made so far */
  get wireBytes(): number {
    let n = this.first?.chunk.length ?? 0;
    for (const w of this.others?.values() ?? []) n += w.chunk.length;
    return n;
  }
}

/** `{"type":<type>,"object":<json>}\n` as an HTTP/1.1 chunk, in a buffer of its own. */
export function wireLine(type: string, json: string): WireLine {
  const head = `{"type":${JSON.stringify(type)},"object":`;
  const len = head.length + Buffer.byteLength(json, 'utf8') + 2;
  const size = `${len.toString(16)}\r\n`;
  // allocUnsafeSlow: not a slice of node's shared 8 KiB pool, which one long-lived event would pin whole
  const chunk = Buffer.allocUnsafeSlow(size.length + len + 2);
  let o = chunk.write(size, 0, 'latin1');
  o += chunk.write(head, o, 'latin1');
  o += chunk.write(json, o, 'utf8');
  chunk.write('}\n\r\n', o, 'latin1');
  return { chunk, body: chunk.subarray(size.length, size.length + len) };
}
