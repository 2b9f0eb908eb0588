// YAML for the editor: objects shown as YAML (managedFields hidden, like kubectl edit), parsed back
// with the line of a syntax error, and a server field path (`spec.endpoints[0].ip`) mapped to the
// line that holds it, so the server's errors can be shown next to the text they are about.
import { isMap, isScalar, isSeq, parseDocument, stringify, type Node } from 'yaml';
import type { KObject } from './api';

export function toYaml(o: KObject): string {
  const copy: KObject = JSON.parse(JSON.stringify(o));
  if (copy.metadata) delete copy.metadata.managedFields;
  return stringify(copy, { lineWidth: 0 });
}

export interface ParseResult {
  value?: KObject;
  error?: { message: string; line: number };
}

export function parseYaml(text: string): ParseResult {
  const doc = parseDocument(text, { prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const line = e.linePos?.[0]?.line ?? lineAt(text, e.pos[0]);
    return { error: { message: e.message.split('\n')[0]!, line } };
  }
  const value = doc.toJS() as KObject;
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { error: { message: 'the document must be one object', line: 1 } };
  return { value };
}

const lineAt = (text: string, offset: number): number => {
  let n = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
};

/** `spec.rules[0].backendRefs[1].name`, `metadata.annotations[a.b/c]` → segments. */
export function splitFieldPath(path: string): Array<string | number> {
  const out: Array<string | number> = [];
  let cur = '';
  for (let i = 0; i < path.length; i++) {
    const ch = path[i]!;
    if (ch === '.') {
      if (cur) out.push(cur);
      cur = '';
    } else if (ch === '[') {
      if (cur) out.push(cur);
      cur = '';
      const end = path.indexOf(']', i);
      const inner = end < 0 ? path.slice(i + 1) : path.slice(i + 1, end);
      out.push(/^\d+$/.test(inner) ? Number(inner) : inner);
      i = end < 0 ? path.length : end;
    } else cur += ch;
  }
  if (cur) out.push(cur);
  return out;
}

/** The line (1-based) of the deepest node of `path` present in the YAML text; null if none. */
export function lineOfFieldPath(text: string, path: string): number | null {
  let doc;
  try {
    doc = parseDocument(text);
  } catch {
    return null;
  }
  if (doc.errors.length) return null;
  let node: unknown = doc.contents;
  let offset: number | null = null;
  for (const seg of splitFieldPath(path)) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
      if (!pair) break;
      const k = pair.key as Node | null;
      if (k && k.range) offset = k.range[0];
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as Node | undefined;
      if (!item) break;
      if (item.range) offset = item.range[0];
      node = item;
    } else break;
  }
  return offset === null ? null : lineAt(text, offset);
}
