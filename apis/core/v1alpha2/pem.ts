// PEM certificate bundles (Backend spec.tls.caBundle, --upstream-ca-file): split into blocks and
// parse each with node's X509Certificate, so a bundle the TLS stack would choke on at connect time
// is refused on write instead (422) or at startup.
import { X509Certificate } from 'node:crypto';

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

export type PemParse = { ok: true; certificates: string[] } | { ok: false; error: string };

/** Every block must be a CERTIFICATE that parses; at least one; nothing but whitespace between blocks. */
export function parsePEMCertificates(pem: string): PemParse {
  const certificates: string[] = [];
  let rest = '';
  let last = 0;
  for (const m of pem.matchAll(BLOCK)) {
    rest += pem.slice(last, m.index);
    last = m.index! + m[0].length;
    if (m[1] !== 'CERTIFICATE') return { ok: false, error: `block ${certificates.length + 1} is a ${m[1]}, not a CERTIFICATE` };
    try {
      new X509Certificate(m[0]);
    } catch (err) {
      return { ok: false, error: `certificate ${certificates.length + 1} does not parse: ${(err as Error).message}` };
    }
    certificates.push(m[0]);
  }
  rest += pem.slice(last);
  if (certificates.length === 0) return { ok: false, error: 'no PEM certificate found (expected -----BEGIN CERTIFICATE----- blocks)' };
  if (rest.trim() !== '') return { ok: false, error: 'text outside the PEM certificate blocks' };
  return { ok: true, certificates };
}
