// HTTPS Gateway listeners' certificates: `tls.certificateRefs` to Secrets (Gateway API
// GatewayTLSConfig; `kind: Secret`, group "", namespace defaulting to `default`), resolved to PEM
// for the snapshot. A ref that names no Secret, another kind, a Secret without tls.crt/tls.key, PEM
// that does not parse, or a key that does not match its certificate is InvalidCertificateRef (the
// Gateway API reason) with a message that never quotes the Secret's data. Validation (building a
// secure context, which parses and pairs cert and key) runs once per Secret resourceVersion.
import { createSecureContext } from 'node:tls';
import type { Secret } from '../../../apis/core/v1/types';
import type { Listener } from '../../../apis/gateway/v1/gateway_types';
import type { ListenerCertificateIR } from '../../proxy/ir';

export const DEFAULT_SECRET_NAMESPACE = 'default';
export const INVALID_CERTIFICATE_REF = 'InvalidCertificateRef';

/** Secrets by `namespace/name` */
export type SecretLookup = (namespace: string, name: string) => Secret | undefined;

export type CertificateResolution = { certificate: ListenerCertificateIR } | { error: string } | null;

interface CertificateRef {
  group?: string;
  kind?: string;
  name?: string;
  namespace?: string;
}

/** ns/name@rv → the validated material, or why it is invalid (bounded: old versions are dropped) */
const validated = new Map<string, ListenerCertificateIR | string>();
const MAX_VALIDATED = 4096;

/**
 * The certificate of an HTTPS listener: null when it names none (the proxy's own certificate
 * serves), else the first certificateRef's material or why it cannot be used.
 */
export function resolveListenerCertificate(l: Listener, secrets: SecretLookup): CertificateResolution {
  const refs = (l.tls as { certificateRefs?: CertificateRef[] } | undefined)?.certificateRefs;
  if (!Array.isArray(refs) || refs.length === 0) return null;
  const ref = refs[0] ?? {};
  if ((ref.group ?? '') !== '' || (ref.kind ?? 'Secret') !== 'Secret') return { error: `certificateRef ${ref.group ?? ''}/${ref.kind}: only core Secrets are supported` };
  if (typeof ref.name !== 'string' || ref.name === '') return { error: 'certificateRef has no name' };
  const ns = ref.namespace || DEFAULT_SECRET_NAMESPACE;
  const where = `Secret ${ns}/${ref.name}`;
  const s = secrets(ns, ref.name);
  if (!s) return { error: `${where} not found` };
  const id = `${ns}/${ref.name}@${s.metadata.resourceVersion ?? ''}`;
  let v = validated.get(id);
  if (v === undefined) {
    v = validate(s, where, id);
    if (validated.size >= MAX_VALIDATED) validated.delete(validated.keys().next().value as string);
    validated.set(id, v);
  }
  return typeof v === 'string' ? { error: v } : { certificate: v };
}

function validate(s: Secret, where: string, id: string): ListenerCertificateIR | string {
  const crt = s.data?.['tls.crt'];
  const key = s.data?.['tls.key'];
  if (typeof crt !== 'string' || typeof key !== 'string' || crt === '' || key === '') return `${where} has no tls.crt and tls.key`;
  const cert = Buffer.from(crt, 'base64').toString('utf8');
  const keyPem = Buffer.from(key, 'base64').toString('utf8');
  if (!cert.includes('-----BEGIN CERTIFICATE-----')) return `${where}: tls.crt is not a PEM certificate`;
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(keyPem)) return `${where}: tls.key is not a PEM private key`;
  try {
    // parses both and checks that the key belongs to the certificate (OpenSSL's own check)
    createSecureContext({ cert, key: keyPem });
  } catch (err) {
    // OpenSSL's reason only (e.g. "key values mismatch"): never the data
    const reason = String((err as Error).message ?? err).replace(/-----BEGIN[\s\S]*/g, '').slice(0, 200);
    return `${where}: unusable certificate or key (${reason})`;
  }
  return { id, cert, key: keyPem };
}

/** An index of Secrets by namespace/name. */
export function secretIndex(secrets: readonly Secret[] | undefined): SecretLookup {
  const m = new Map<string, Secret>();
  for (const s of secrets ?? []) m.set(`${s.metadata.namespace ?? DEFAULT_SECRET_NAMESPACE}/${s.metadata.name}`, s);
  return (ns, name) => m.get(`${ns}/${name}`);
}
