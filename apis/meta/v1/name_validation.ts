// Name, label and annotation rules of k8s.io/apimachinery/pkg/util/validation and
// apimachinery/pkg/api/validation (ValidateLabels, ValidateAnnotations), with kube's messages.
import { FieldErrorList, FieldPath, invalid, tooLong } from './field';

export const DNS1123_LABEL_MAX_LENGTH = 63;
export const DNS1123_SUBDOMAIN_MAX_LENGTH = 253;
export const QUALIFIED_NAME_MAX_LENGTH = 63;
export const LABEL_VALUE_MAX_LENGTH = 63;
/** Total size of all annotation keys and values, as kube-apiserver limits it. */
export const TOTAL_ANNOTATION_SIZE_LIMIT_B = 256 * 1024;

const dns1123LabelFmt = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const dns1123SubdomainFmt = `${dns1123LabelFmt}(\\.${dns1123LabelFmt})*`;
const qualifiedNameFmt = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';

const dns1123LabelRe = new RegExp(`^${dns1123LabelFmt}$`);
const dns1123SubdomainRe = new RegExp(`^${dns1123SubdomainFmt}$`);
const qualifiedNameRe = new RegExp(`^${qualifiedNameFmt}$`);
const labelValueRe = new RegExp(`^(${qualifiedNameFmt})?$`);

export const DNS1123_LABEL_ERROR_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
export const DNS1123_SUBDOMAIN_ERROR_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const QUALIFIED_NAME_ERROR_MSG =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_ERROR_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

const maxLenError = (n: number) => `must be no more than ${n} characters`;
const regexError = (msg: string, fmt: string, ...examples: string[]) =>
  `${msg} (e.g. ${examples.map((e) => `'${e}'`).join(', or ')}, regex used for validation is '${fmt}')`;

export function isDNS1123Label(s: string): boolean {
  return typeof s === 'string' && s.length <= DNS1123_LABEL_MAX_LENGTH && dns1123LabelRe.test(s);
}

export function isDNS1123Subdomain(s: string): boolean {
  return typeof s === 'string' && s.length <= DNS1123_SUBDOMAIN_MAX_LENGTH && dns1123SubdomainRe.test(s);
}

/** kube's IsDNS1123Label: the list of problems, empty when valid. */
export function dns1123LabelErrors(s: string): string[] {
  const errs: string[] = [];
  if (s.length > DNS1123_LABEL_MAX_LENGTH) errs.push(maxLenError(DNS1123_LABEL_MAX_LENGTH));
  if (!dns1123LabelRe.test(s)) errs.push(regexError(DNS1123_LABEL_ERROR_MSG, dns1123LabelFmt, 'my-name', '123-abc'));
  return errs;
}

/** kube's IsDNS1123Subdomain: the list of problems, empty when valid. */
export function dns1123SubdomainErrors(s: string): string[] {
  const errs: string[] = [];
  if (s.length > DNS1123_SUBDOMAIN_MAX_LENGTH) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
  if (!dns1123SubdomainRe.test(s)) errs.push(regexError(DNS1123_SUBDOMAIN_ERROR_MSG, dns1123SubdomainFmt, 'example.com'));
  return errs;
}

/** kube's IsValidPathSegmentName: what any name must satisfy to sit in a URL path. */
export function pathSegmentNameErrors(name: string): string[] {
  if (name === '.' || name === '..') return [`may not be '${name}'`];
  const errs: string[] = [];
  for (const bad of ['/', '%']) if (name.includes(bad)) errs.push(`may not contain '${bad}'`);
  return errs;
}

/** kube's IsQualifiedName: `[prefix/]name`, prefix a DNS-1123 subdomain, name ≤63 characters. */
export function qualifiedNameErrors(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0];
  } else if (parts.length === 2) {
    const [prefix] = parts;
    name = parts[1];
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else for (const e of dns1123SubdomainErrors(prefix)) errs.push(`prefix part ${e}`);
  } else {
    return [
      'a qualified name ' +
        regexError(QUALIFIED_NAME_ERROR_MSG, qualifiedNameFmt, 'MyName', 'my.name', '123-abc') +
        " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > QUALIFIED_NAME_MAX_LENGTH) errs.push(`name part ${maxLenError(QUALIFIED_NAME_MAX_LENGTH)}`);
  if (!qualifiedNameRe.test(name)) {
    errs.push('name part ' + regexError(QUALIFIED_NAME_ERROR_MSG, qualifiedNameFmt, 'MyName', 'my.name', '123-abc'));
  }
  return errs;
}

/** kube's IsValidLabelValue. */
export function labelValueErrors(value: string): string[] {
  const errs: string[] = [];
  if (value.length > LABEL_VALUE_MAX_LENGTH) errs.push(maxLenError(LABEL_VALUE_MAX_LENGTH));
  if (!labelValueRe.test(value)) errs.push(regexError(LABEL_VALUE_ERROR_MSG, `(${qualifiedNameFmt})?`, 'MyValue', 'my_value', '12345'));
  return errs;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** metadata.labels: keys are qualified names, values label values (kube's ValidateLabels). */
export function validateLabels(labels: unknown, path: FieldPath): FieldErrorList {
  const errs: FieldErrorList = [];
  if (labels === undefined || labels === null) return errs;
  if (!isPlainObject(labels)) return [invalid(path, labels, 'must be a map of string keys to string values')];
  for (const [k, v] of Object.entries(labels)) {
    for (const msg of qualifiedNameErrors(k)) errs.push(invalid(path, k, msg));
    if (typeof v !== 'string') {
      errs.push(invalid(path.key(k), v, 'must be a string'));
      continue;
    }
    for (const msg of labelValueErrors(v)) errs.push(invalid(path.key(k), v, msg));
  }
  return errs;
}

/** metadata.annotations: keys are qualified names (checked lowercased), total size ≤ 256 KiB. */
export function validateAnnotations(annotations: unknown, path: FieldPath): FieldErrorList {
  const errs: FieldErrorList = [];
  if (annotations === undefined || annotations === null) return errs;
  if (!isPlainObject(annotations)) return [invalid(path, annotations, 'must be a map of string keys to string values')];
  let total = 0;
  for (const [k, v] of Object.entries(annotations)) {
    for (const msg of qualifiedNameErrors(k.toLowerCase())) errs.push(invalid(path, k, msg));
    if (typeof v !== 'string') {
      errs.push(invalid(path.key(k), v, 'must be a string'));
      continue;
    }
    total += Buffer.byteLength(k, 'utf8') + Buffer.byteLength(v, 'utf8');
  }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT_B) errs.push(tooLong(path, '', TOTAL_ANNOTATION_SIZE_LIMIT_B));
  return errs;
}
