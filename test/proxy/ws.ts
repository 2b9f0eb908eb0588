// A minimal RFC 6455 WebSocket for the tests (no dependency): an echo handler for an upstream
// server's 'upgrade' event and a client over a raw socket. Single-frame messages only (FIN set),
// which is all the tests send; lengths up to 2^53.
import { createHash, randomBytes } from 'node:crypto';
import * as net from 'node:net';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export const acceptFor = (key: string) => createHash('sha1').update(key + GUID).digest('base64');

export interface Frame {
  opcode: number;
  payload: Buffer;
}

export function encodeFrame(opcode: number, payload: Buffer, mask: boolean): Buffer {
  const len = payload.length;
  const head: number[] = [0x80 | opcode];
  const m = mask ? 0x80 : 0;
  if (len < 126) head.push(m | len);
  else if (len < 65536) head.push(m | 126, len >> 8, len & 255);
  else {
    head.push(m | 127);
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(BigInt(len));
    head.push(...b);
  }
  if (!mask) return Buffer.concat([Buffer.from(head), payload]);
  const key = randomBytes(4);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i] ^= key[i & 3];
  return Buffer.concat([Buffer.from(head), key, body]);
}

/** Parses frames out of a growing buffer. */
export class FrameReader {
  private buf = Buffer.alloc(0);
  push(chunk: Buffer): Frame[] {
    this.buf = Buffer.concat([this.buf, chunk]);
    const out: Frame[] = [];
    for (;;) {
      const b = this.buf;
      if (b.length < 2) break;
      const opcode = b[0] & 0x0f;
      const masked = (b[1] & 0x80) !== 0;
      let len = b[1] & 0x7f;
      let off = 2;
      if (len === 126) {
        if (b.length < 4) break;
        len = b.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (b.length < 10) break;
        len = Number(b.readBigUInt64BE(2));
        off = 10;
      }
      const keyOff = off;
      if (masked) off += 4;
      if (b.length < off + len) break;
      const payload = Buffer.from(b.subarray(off, off + len));
      if (masked) for (let i = 0; i < payload.length; i++) payload[i] ^= b[keyOff + (i & 3)];
      out.push({ opcode, payload });
      this.buf = b.subarray(off + len);
    }
    return out;
  }
}

/** An upstream 'upgrade' handler: completes the handshake and echoes every message back. */
export function wsEcho(onUpgrade?: (req: IncomingMessage) => void) {
  return (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    onUpgrade?.(req);
    const key = req.headers['sec-websocket-key'];
    if (typeof key !== 'string' || String(req.headers.upgrade).toLowerCase() !== 'websocket') {
      socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptFor(key)}\r\nX-Upstream-Echo: yes\r\n\r\n`);
    const reader = new FrameReader();
    const onData = (chunk: Buffer) => {
      for (const f of reader.push(chunk)) {
        if (f.opcode === 8) {
          socket.end(encodeFrame(8, f.payload, false));
          return;
        }
        if (f.opcode === 9) socket.write(encodeFrame(10, f.payload, false));
        else socket.write(encodeFrame(f.opcode, f.payload, false));
      }
    };
    socket.on('data', onData);
    socket.on('error', () => socket.destroy());
    if (head.length) onData(head);
  };
}

export interface WsClient {
  status: number;
  statusLine: string;
  headers: Record<string, string>;
  /** send one message and wait (bounded) for the next message */
  roundTrip(data: string | Buffer, timeoutMs?: number): Promise<Frame>;
  close(): Promise<void>;
}

/** Opens a WebSocket through `port` (handshake response parsed; non-101 answers are returned too). */
export function wsConnect(port: number, path: string, host: string, timeoutMs = 5000): Promise<WsClient> {
  return new Promise((resolve, reject) => {
    const key = randomBytes(16).toString('base64');
    const sock = net.connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error('websocket handshake timed out'));
    }, timeoutMs);
    let buf = Buffer.alloc(0);
    const reader = new FrameReader();
    const frames: Frame[] = [];
    let wake: (() => void) | null = null;
    let ended = false;
    sock.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    sock.on('close', () => {
      ended = true;
      wake?.();
    });
    sock.once('connect', () => {
      sock.write(
        `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    const onHandshake = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      sock.off('data', onHandshake);
      clearTimeout(timer);
      const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
      const statusLine = lines[0];
      const headers: Record<string, string> = {};
      for (const l of lines.slice(1)) {
        const i = l.indexOf(':');
        if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
      }
      const status = Number(statusLine.split(' ')[1]);
      const rest = buf.subarray(end + 4);
      sock.on('data', (c: Buffer) => {
        frames.push(...reader.push(c));
        wake?.();
      });
      if (status === 101 && rest.length) frames.push(...reader.push(rest));
      if (status === 101 && headers['sec-websocket-accept'] !== acceptFor(key)) {
        sock.destroy();
        return reject(new Error(`bad Sec-WebSocket-Accept ${headers['sec-websocket-accept']}`));
      }
      resolve({
        status,
        statusLine,
        headers,
        async roundTrip(data, ms = 5000) {
          const payload = typeof data === 'string' ? Buffer.from(data) : data;
          sock.write(encodeFrame(typeof data === 'string' ? 1 : 2, payload, true));
          const deadline = Date.now() + ms;
          while (frames.length === 0) {
            if (ended) throw new Error('websocket closed');
            const left = deadline - Date.now();
            if (left <= 0) throw new Error('no websocket message in time');
            await new Promise<void>((r) => {
              const t = setTimeout(r, left);
              wake = () => {
                clearTimeout(t);
                wake = null;
                r();
              };
            });
          }
          return frames.shift()!;
        },
        close() {
          return new Promise<void>((r) => {
            if (ended) return r();
            const t = setTimeout(() => {
              sock.destroy();
              r();
            }, 1000);
            sock.once('close', () => {
              clearTimeout(t);
              r();
            });
            sock.write(encodeFrame(8, Buffer.from([0x03, 0xe8]), true));
            sock.end();
          });
        },
      });
    };
    sock.on('data', onHandshake);
  });
}
