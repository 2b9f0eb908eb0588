// BackendTLSPolicy (gateway.networking.k8s.io v1) → the upstream verification of the Service ports
// it targets. Pure.
//   targetRefs        Services (group "", kind Service); sectionName = the Service port's name
//   validation        caCertificateRefs → ConfigMaps in the policy's namespace, key ca.crt (PEM),
//                     trusted alone; wellKnownCACertificates: System → the system store; hostname →
//                     SNI and the name verified; subjectAltNames → the names verified instead
// Conflicts as the spec orders them: for one Service port, a policy naming the port's section wins
// over one naming the whole Service; between equals the oldest (creationTimestamp, then
// namespace/name) wins and the others are Accepted=False Conflicted. A policy with no usable CA is
// Accepted=False NoValidCACertificate and the Service's ports answer 500 rather than connect
// unverified.
import { X509Certificate } from 'node:crypto';
import type { BackendTLS } from '../../../../apis/core/v1alpha2/backend_types';
import { key, type ConfigMap, type UBackendTLSPolicy } from './types';

export const CA_CERT_KEY = 'ca.crt';

export interface PolicyCondition {
  status: 'True' | 'False';
  reason: string;
  message: string;
}

export interface PolicyVerdict {
  accepted: PolicyCondition;
  resolvedRefs: PolicyCondition;
  /** the verification it asks for; undefined when it has no usable CA */
  tls?: BackendTLS;
  /** `<ns>/<service>` it targets */
  services: string[];
}

export interface BackendTLSIndex {
  /** the verification for one Service port: undefined = no policy; 'invalid' = a policy without a usable CA */
  forPort(namespace: string, service: string, portName: string): BackendTLS | 'invalid' | undefined;
  /** by policy `<ns>/<name>` */
  verdicts: Map<string, PolicyVerdict>;
}

const PEM_BEGIN = '-----BEGIN CERTIFICATE-----';
const PEM_END = '-----END CERTIFICATE-----';

/**
 * The `-----BEGIN CERTIFICATE-----…-----END CERTIFICATE-----` blocks of a text, as the lazy regex
 * /BEGIN[\s\S]+?END/g finds them, in one linear pass: the regex rescans to the end of the text from
 * every BEGIN that has no END after it (a 1 MB ConfigMap of BEGIN lines took the controller, and
 * the apiserver on its event loop, over a second per reconcile).
 */
export function pemCertificateBlocks(text: string): string[] {
  const out: string[] = [];
  let pos = 0;
  for (;;) {
    const b = text.indexOf(PEM_BEGIN, pos);
    if (b < 0) break;
    const e = text.indexOf(PEM_END, b + PEM_BEGIN.length + 1);
    // no END after this BEGIN: none after any later BEGIN either
    if (e < 0) break;
    pos = e + PEM_END.length;
    out.push(text.slice(b, pos));
  }
  return out;
}

/** the PEM certificates of a ca.crt value that parse; [] when none does */
export function parseCABundle(pem: string | undefined): string[] {
  const out: string[] = [];
  for (const block of pemCertificateBlocks(pem ?? '')) {
    try {
      new X509Certificate(block);
      out.push(block);
    } catch {
      // not a certificate: skipped (and reported when nothing else is usable)
    }
  }
  return out;
}

function resolveValidation(p: UBackendTLSPolicy, configMaps: Map<string, ConfigMap>): Omit<PolicyVerdict, 'services'> {
  const ns = p.metadata.namespace ?? 'default';
  const v = p.spec?.validation;
  const ok: PolicyCondition = { status: 'True', reason: 'Accepted', message: 'policy accepted' };
  const resolved: PolicyCondition = { status: 'True', reason: 'ResolvedRefs', message: 'all references resolved' };
  const hostname = (v?.hostname ?? '').toLowerCase();
  const sans = (v?.subjectAltNames ?? []).map((s) => (s.type === 'URI' ? { type: 'URI' as const, value: s.uri ?? '' } : { type: 'Hostname' as const, value: (s.hostname ?? '').toLowerCase() })).filter((s) => s.value);
  const base: BackendTLS = { serverName: hostname, ...(sans.length ? { subjectAltNames: sans } : {}) };
  if (v?.wellKnownCACertificates) {
    if (v.wellKnownCACertificates !== 'System') {
      return { accepted: { status: 'False', reason: 'Invalid', message: `wellKnownCACertificates ${v.wellKnownCACertificates} is not supported` }, resolvedRefs: resolved };
    }
    return { accepted: ok, resolvedRefs: resolved, tls: base };
  }
  const certs: string[] = [];
  const bad: PolicyCondition[] = [];
  for (const r of v?.caCertificateRefs ?? []) {
    if ((r.group ?? '') !== '' || r.kind !== 'ConfigMap') {
      bad.push({ status: 'False', reason: 'InvalidKind', message: `caCertificateRef ${r.group ? `${r.group}/` : ''}${r.kind} ${r.name}: only ConfigMaps are supported` });
      continue;
    }
    const cm = configMaps.get(`${ns}/${r.name}`);
    if (!cm) {
      bad.push({ status: 'False', reason: 'InvalidCACertificateRef', message: `ConfigMap ${ns}/${r.name} not found` });
      continue;
    }
    const parsed = parseCABundle(cm.data?.[CA_CERT_KEY]);
    if (!parsed.length) {
      bad.push({ status: 'False', reason: 'InvalidCACertificateRef', message: `ConfigMap ${ns}/${r.name} has no PEM certificate under ${CA_CERT_KEY}` });
      continue;
    }
    certs.push(...parsed);
  }
  const resolvedRefs = bad.length ? { ...bad[0], message: bad.map((b) => b.message).join('; ') } : resolved;
  if (!certs.length) return { accepted: { status: 'False', reason: 'NoValidCACertificate', message: 'no caCertificateRef holds a usable CA certificate' }, resolvedRefs };
  return { accepted: ok, resolvedRefs, tls: { ...base, caBundle: certs.join('\n'), caBundleOnly: true } };
}

const older = (a: UBackendTLSPolicy, b: UBackendTLSPolicy) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || key(a).localeCompare(key(b));

export function indexBackendTLSPolicies(policies: UBackendTLSPolicy[], configMaps: ConfigMap[]): BackendTLSIndex {
  const cms = new Map(configMaps.map((c) => [key(c), c]));
  const verdicts = new Map<string, PolicyVerdict>();
  // `<ns>/<svc>/<section>` ('' section: the whole Service) → the winning policy's key
  const winners = new Map<string, string>();
  for (const p of [...policies].sort(older)) {
    const ns = p.metadata.namespace ?? 'default';
    const v = resolveValidation(p, cms);
    const targets = (p.spec?.targetRefs ?? []).filter((t) => (t.group ?? '') === '' && t.kind === 'Service');
    const services = [...new Set(targets.map((t) => `${ns}/${t.name}`))];
    const conflicts: string[] = [];
    for (const t of targets) {
      const slot = `${ns}/${t.name}/${t.sectionName ?? ''}`;
      const w = winners.get(slot);
      if (w !== undefined && w !== key(p)) conflicts.push(`${t.name}${t.sectionName ? `:${t.sectionName}` : ''} (${w})`);
    }
    if (conflicts.length) {
      verdicts.set(key(p), { ...v, accepted: { status: 'False', reason: 'Conflicted', message: `an older policy already targets ${conflicts.join(', ')}` }, tls: undefined, services });
      continue;
    }
    if (targets.length === 0 && (p.spec?.targetRefs ?? []).length > 0) {
      verdicts.set(key(p), { ...v, accepted: { status: 'False', reason: 'TargetNotFound', message: 'only Services can be targeted' }, tls: undefined, services });
      continue;
    }
    for (const t of targets) winners.set(`${ns}/${t.name}/${t.sectionName ?? ''}`, key(p));
    verdicts.set(key(p), { ...v, services });
  }
  return {
    verdicts,
    forPort(namespace, service, portName) {
      const w = (portName ? winners.get(`${namespace}/${service}/${portName}`) : undefined) ?? winners.get(`${namespace}/${service}/`);
      if (w === undefined) return undefined;
      const v = verdicts.get(w)!;
      return v.accepted.status === 'True' && v.tls ? v.tls : 'invalid';
    },
  };
}
