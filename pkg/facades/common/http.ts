// What the three facade servers share: a bounded body reader, JSON parsing that reports what is
// wrong, bearer-token checks, client addresses, and a listener that closes cleanly.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import type { Express, Request } from 'express';
import { splitHostPort } from '../../config/flags';

/** A client error with the HTTP status it maps to (each facade renders its own body shape). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export const DEFAULT_BODY_LIMIT = 64 * 1024;

/** The request body, at most `limit` bytes (413 beyond, 400 when the client aborts). */
export function readBody(req: http.IncomingMessage, limit = DEFAULT_BODY_LIMIT): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    req.resume();
    return Promise.reject(new HttpError(413, `request body too large: the limit is ${limit} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > limit) {
        done = true;
        chunks.length = 0;
        reject(new HttpError(413, `request body too large: the limit is ${limit} bytes`));
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!done) {
        done = true;
        resolve(Buffer.concat(chunks));
      }
    });
    req.on('error', (err) => {
      if (!done) reject(new HttpError(400, `reading the request body: ${err.message}`));
      done = true;
    });
  });
}

export type Parsed = { ok: true; value: unknown } | { ok: false; error: string };

/** JSON.parse with the reason when it fails; an empty body is reported as such. */
export function parseJson(buf: Buffer): Parsed {
  const text = buf.toString('utf8');
  if (text.trim() === '') return { ok: false, error: 'the request body is empty; expected a JSON object' };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, error: `malformed JSON: ${(err as Error).message}` };
  }
}

/** application/json, with parameters, or any application/*+json. */
export function isJsonContentType(ct: string | undefined): boolean {
  const mt = (ct ?? '').split(';')[0]!.trim().toLowerCase();
  return mt === 'application/json' || (mt.startsWith('application/') && mt.endsWith('+json'));
}

export const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** The peer address, without the IPv4-mapped prefix. */
export function clientIP(req: Request): string {
  const a = req.socket.remoteAddress ?? '';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

/** Does the request carry `Authorization: Bearer <token>` (constant-time compare)? */
export function bearerMatches(req: Request, token: string): boolean {
  const h = req.headers.authorization ?? '';
  const m = /^Bearer\s+(.+)$/i.exec(h.trim());
  if (!m) return false;
  const got = Buffer.from(m[1]!.trim());
  const want = Buffer.from(token);
  return got.length === want.length && timingSafeEqual(got, want);
}

export interface FacadeServer {
  host: string;
  port: number;
  close(): Promise<void>;
}

/** Serve an express app on HOST:PORT (port 0: any). */
export async function listen(app: Express, hostPort: string): Promise<FacadeServer> {
  const { host, port } = splitHostPort(hostPort);
  const server = http.createServer(app);
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 70_000;
  server.requestTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    host,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
