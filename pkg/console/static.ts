// The console's static files (web/dist, built by `make build`) under /console/ on the API port.
// No authentication for these: the page itself asks for a bearer token and sends it with every API
// call. Files are read once and kept in memory with a gzip copy; hashed assets are immutable,
// index.html is revalidated; any other path under /console/ is a client route and gets index.html.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type { IncomingMessage, ServerResponse } from 'node:http';

export const CONSOLE_PREFIX = '/console';
/** JSON endpoints under the prefix are the API's (authenticated), not static files */
export const CONSOLE_API_PREFIX = '/console/api/';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json',
};

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

interface CachedFile {
  body: Buffer;
  gzip: Buffer | null;
  type: string;
  immutable: boolean;
}

/** The default root: <repo>/web/dist (this file runs as <repo>/dist/pkg/console/static.js). */
export function defaultWebRoot(): string {
  return process.env.SWITCHYARD_CONSOLE_DIR ?? path.resolve(__dirname, '..', '..', '..', 'web', 'dist');
}

export class StaticSite {
  private readonly files = new Map<string, CachedFile | null>();

  constructor(readonly root: string) {}

  /** Does this request belong to the static site (a GET/HEAD under /console, not /console/api/)? */
  handles(url: string): boolean {
    if (url !== CONSOLE_PREFIX && !url.startsWith(CONSOLE_PREFIX + '/') && !url.startsWith(CONSOLE_PREFIX + '?')) return false;
    return !url.startsWith(CONSOLE_API_PREFIX);
  }

  serve(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const pathname = q < 0 ? url : url.slice(0, q);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' });
      res.end('method not allowed\n');
      return;
    }
    if (pathname === CONSOLE_PREFIX) {
      res.writeHead(308, { location: CONSOLE_PREFIX + '/' + (q < 0 ? '' : url.slice(q)) });
      res.end();
      return;
    }
    let rel: string;
    try {
      rel = decodeURIComponent(pathname.slice(CONSOLE_PREFIX.length + 1));
    } catch {
      rel = '';
    }
    // a file when the last segment has an extension; anything else is a client route
    const looksLikeFile = /\.[a-z0-9]+$/i.test(rel) && !rel.includes('..') && !rel.includes('\0');
    let file = looksLikeFile ? this.load(rel) : null;
    if (looksLikeFile && !file) {
      res.writeHead(404, { 'content-type': 'text/plain', ...SECURITY_HEADERS });
      res.end('not found\n');
      return;
    }
    if (!file) file = this.load('index.html');
    if (!file) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS });
      res.end(`the web console is not built (no ${path.join(this.root, 'index.html')}): run \`make build\`\n`);
      return;
    }
    const gz = file.gzip !== null && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const body = gz ? file.gzip! : file.body;
    const headers: Record<string, string | number> = {
      'content-type': file.type,
      'content-length': body.length,
      'cache-control': file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      vary: 'Accept-Encoding',
      ...SECURITY_HEADERS,
    };
    if (gz) headers['content-encoding'] = 'gzip';
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  private load(rel: string): CachedFile | null {
    const hit = this.files.get(rel);
    if (hit !== undefined && hit !== null) return hit;
    const abs = path.resolve(this.root, rel);
    if (!abs.startsWith(path.resolve(this.root) + path.sep)) return null;
    let body: Buffer;
    try {
      body = fs.readFileSync(abs);
    } catch {
      return null; // not cached: a build that lands later is picked up
    }
    const type = TYPES[path.extname(abs).toLowerCase()] ?? 'application/octet-stream';
    const compressible = /^(text\/|application\/json|image\/svg)/.test(type) && body.length > 512;
    const f: CachedFile = {
      body,
      gzip: compressible ? zlib.gzipSync(body, { level: 9 }) : null,
      type,
      // vite names built assets NAME-HASH.ext under assets/
      immutable: rel.startsWith('assets/') && /-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/.test(rel),
    };
    // index.html is re-read on each start only: cache everything (the site is a few files)
    this.files.set(rel, f);
    return f;
  }
}
