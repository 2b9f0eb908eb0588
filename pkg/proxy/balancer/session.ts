// Session persistence (Gateway API sessionPersistence): the session's token, carried in a cookie
// or a header, picks the backendRef and then the endpoint by weighted rendezvous hashing (HRW; the
// endpoint part is Balancer.pickByKey). A request without a valid token gets a new random one, and
// the response carries it back (Set-Cookie, or the header). The token is opaque: it never names an
// endpoint (no address leaks, and a client cannot aim at one), and the same token keeps landing on
// the same endpoint while that endpoint stays available; when it leaves, only its sessions move.
// Pure apart from newSessionToken (random bytes).
import { randomBytes } from 'node:crypto';
import type { BackendRefIR, SessionPersistenceIR } from '../ir';
import { fmix32, hashString } from './hash';

/** tokens this proxy makes are 24 base64url characters; anything else of this alphabet up to 128 is accepted */
const TOKEN = /^[A-Za-z0-9_-]{1,128}$/;

export const newSessionToken = (): string => randomBytes(18).toString('base64url');

/** The request's token (cookie or header), when it is one; undefined otherwise. */
export function sessionToken(sp: SessionPersistenceIR, req: { cookie(name: string): string | undefined; header(name: string): string | undefined }): string | undefined {
  const t = sp.type === 'Cookie' ? req.cookie(sp.name) : req.header(sp.name);
  return t !== undefined && TOKEN.test(t) ? t : undefined;
}

/** The backendRef a token sticks to: weighted HRW over the refs (weight 0 never). */
export function pickRefByKey(refs: readonly Pick<BackendRefIR, 'weight' | 'backend'>[], key: string): number | null {
  const k = hashString(key);
  let best = -1;
  let bestScore = -Infinity;
  for (let i = 0; i < refs.length; i++) {
    const w = refs[i]!.weight;
    if (!(w > 0)) continue;
    const u = (fmix32(hashString(`${i}/${refs[i]!.backend}`) ^ k) + 0.5) / 4294967296;
    const score = w / -Math.log(u);
    if (score > bestScore) {
      bestScore = score;
      best = i;
    }
  }
  return best < 0 ? null : best;
}

/** headers a Header session may not use (validation refuses them; an object stored before that is not served in them) */
const RESERVED: ReadonlySet<string> = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'proxy-connection', 'upgrade', 'te', 'trailer', 'host', 'expect']);

/** The response header that hands a new token to the client: [name, value]; null when the header may not carry it. */
export function sessionResponseHeader(sp: SessionPersistenceIR, token: string, secure: boolean): [string, string] | null {
  if (sp.type === 'Header') return RESERVED.has(sp.name.toLowerCase()) ? null : [sp.name, token];
  let c = `${sp.name}=${token}; Path=${sp.path}; HttpOnly; SameSite=Lax`;
  if (sp.maxAgeS !== undefined) c += `; Max-Age=${sp.maxAgeS}`;
  if (secure) c += '; Secure';
  return ['set-cookie', c];
}
