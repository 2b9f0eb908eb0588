// A translated conformance test: the upstream ShortName, its features (which decide Core vs
// Extended and whether it runs), the upstream manifests it applies, and its checks.
import type { ExpectedResponse } from '../http';
import type { Suite } from '../suite';
import { TABLES } from '../tables';

export interface ConformanceCase {
  name: string;
  features: string[];
  manifests: string[];
  /** upstream marks it Provisional: reported, never counted against the profile */
  provisional?: boolean;
  run(s: Suite): Promise<void>;
}

/** the upstream file's i-th ExpectedResponse table (a fresh copy) */
export function table(file: string, i = 0): ExpectedResponse[] {
  const t = TABLES[file]?.[i];
  if (!t) throw new Error(`no table ${i} in ${file}`);
  return structuredClone(Array.isArray(t) ? t : [t]);
}

/** the upstream file's tables from..to (inclusive) flattened */
export function tables(file: string, from: number, to: number): ExpectedResponse[] {
  const out: ExpectedResponse[] = [];
  for (let i = from; i <= to; i++) out.push(...table(file, i));
  return out;
}
