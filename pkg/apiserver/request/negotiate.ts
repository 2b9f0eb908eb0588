// Accept negotiation: plain JSON (default), YAML, a meta.k8s.io Table, or aggregated discovery.
export interface Accepts {
  table: boolean;
  /** as=PartialObjectMetadata(List) */
  metadataOnly: boolean;
  yaml: boolean;
  aggregatedDiscovery: boolean;
  /** something was asked that we cannot produce and no fallback was offered */
  unacceptable: boolean;
}

interface Clause {
  type: string;
  params: Record<string, string>;
}

function parseAccept(header: string | undefined): Clause[] {
  if (!header) return [];
  return header.split(',').map((part) => {
    const [type, ...rest] = part.split(';').map((s) => s.trim());
    const params: Record<string, string> = {};
    for (const p of rest) {
      const i = p.indexOf('=');
      if (i > 0) params[p.slice(0, i).trim()] = p.slice(i + 1).trim();
    }
    return { type: type.toLowerCase(), params };
  });
}

export function negotiate(header: string | undefined): Accepts {
  const clauses = parseAccept(header);
  const out: Accepts = { table: false, metadataOnly: false, yaml: false, aggregatedDiscovery: false, unacceptable: false };
  if (clauses.length === 0) return out;
  for (const c of clauses) {
    if (c.type === 'application/json' || c.type === '*/*' || c.type === 'application/*') {
      if (c.params.as === 'Table' && c.params.g === 'meta.k8s.io') {
        out.table = true;
        return out;
      }
      if ((c.params.as === 'PartialObjectMetadata' || c.params.as === 'PartialObjectMetadataList') && c.params.g === 'meta.k8s.io') {
        out.metadataOnly = true;
        return out;
      }
      if (c.params.as === 'APIGroupDiscoveryList' && c.params.g === 'apidiscovery.k8s.io' && c.params.v === 'v2') {
        out.aggregatedDiscovery = true;
        return out;
      }
      if (!c.params.as) return out;
      continue;
    }
    if (c.type === 'application/yaml') {
      out.yaml = true;
      return out;
    }
  }
  out.unacceptable = true;
  return out;
}
