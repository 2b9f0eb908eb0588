// edgeProxy's registration payload: required fields, defaults (weight 2, soft_limit 100,
// hard_limit 150, country derived from the region) and what a bad one answers. As the original
// (axum's Json extractor): a body that is not JSON → 400, JSON of the wrong shape → 422.
import { isIP } from 'node:net';
import { validateBackendName } from '../../../apis/core/v1alpha2/backend_validate';
import { isDNS1123Label } from '../../../apis/meta/v1/name_validation';
import { HttpError, isObject } from '../common/http';

export const REGIONS = ['sa', 'us', 'eu', 'ap'] as const;
export type Region = (typeof REGIONS)[number];
/** The original's derivation when `country` is absent. */
export const REGION_COUNTRY: Record<Region, string> = { sa: 'BR', us: 'US', eu: 'DE', ap: 'JP' };

export const DEFAULT_WEIGHT = 2;
export const DEFAULT_SOFT_LIMIT = 100;
export const DEFAULT_HARD_LIMIT = 150;
const MAX_WEIGHT = 1_000_000;
const MAX_LIMIT = 10_000_000;

export interface Registration {
  id: string;
  app: string;
  region: Region;
  country: string;
  ip: string;
  port: number;
  weight: number;
  softLimit: number;
  hardLimit: number;
}

const invalid = (msg: string) => new HttpError(422, msg);

function int(body: Record<string, unknown>, key: string, dflt: number | undefined, min: number, max: number): number {
  const v = body[key];
  if (v === undefined || v === null) {
    if (dflt === undefined) throw invalid(`missing required field: ${key}`);
    return dflt;
  }
  if (typeof v !== 'number' || !Number.isInteger(v)) throw invalid(`${key}: must be an integer, got ${JSON.stringify(v)}`);
  if (v < min || v > max) throw invalid(`${key}: must be between ${min} and ${max}, got ${v}`);
  return v;
}

function str(body: Record<string, unknown>, key: string, required: true): string;
function str(body: Record<string, unknown>, key: string, required: false): string | undefined;
function str(body: Record<string, unknown>, key: string, required: boolean): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) {
    if (required) throw invalid(`missing required field: ${key}`);
    return undefined;
  }
  if (typeof v !== 'string') throw invalid(`${key}: must be a string, got ${JSON.stringify(v)}`);
  if (required && v === '') throw invalid(`${key}: must not be empty`);
  return v;
}

/** A Backend name, an edgeProxy `id`: the Backend name rule (any path segment, ≤253). */
export function checkId(id: string): void {
  const r = validateBackendName(id);
  if (r.errors.length) throw invalid(`id: ${JSON.stringify(id)} is not a valid backend id: ${r.errors.join('; ')}`);
}

/** Validate a parsed body; throws HttpError(422) naming the field. */
export function parseRegistration(body: unknown): Registration {
  if (!isObject(body)) throw invalid('the request body must be a JSON object');
  const id = str(body, 'id', true);
  checkId(id);
  const app = str(body, 'app', true);
  if (!isDNS1123Label(app)) {
    throw invalid(`app: ${JSON.stringify(app)} must be a DNS-1123 label (lowercase letters, digits and "-", starting and ending alphanumeric, at most 63 characters): it names the app's route and hostname`);
  }
  const regionRaw = str(body, 'region', true).toLowerCase();
  if (!(REGIONS as readonly string[]).includes(regionRaw)) {
    throw invalid(`region: unsupported value ${JSON.stringify(body.region)}: allowed values are ${REGIONS.map((r) => `"${r}"`).join(', ')}`);
  }
  const region = regionRaw as Region;
  const countryRaw = str(body, 'country', false);
  let country = REGION_COUNTRY[region];
  if (countryRaw !== undefined && countryRaw !== '') {
    if (!/^[A-Za-z]{2}$/.test(countryRaw)) throw invalid(`country: must be an ISO 3166-1 alpha-2 code such as "DE", got ${JSON.stringify(countryRaw)}`);
    country = countryRaw.toUpperCase();
  }
  const ip = str(body, 'ip', true);
  if (isIP(ip) === 0 || ip.includes('%')) throw invalid(`ip: must be an IPv4 or IPv6 address, got ${JSON.stringify(ip)}`);
  const port = int(body, 'port', undefined, 1, 65535);
  const weight = int(body, 'weight', DEFAULT_WEIGHT, 0, MAX_WEIGHT);
  const hardLimit = int(body, 'hard_limit', DEFAULT_HARD_LIMIT, 1, MAX_LIMIT);
  // a hard_limit below the default soft_limit, soft_limit left out: the soft limit is the hard one
  const softLimit = int(body, 'soft_limit', Math.min(DEFAULT_SOFT_LIMIT, hardLimit), 1, MAX_LIMIT);
  if (softLimit > hardLimit) throw invalid(`soft_limit (${softLimit}) must not exceed hard_limit (${hardLimit})`);
  return { id, app, region, country, ip, port, weight, softLimit, hardLimit };
}
