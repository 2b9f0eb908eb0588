// The name rule of kinds that must install into Kubernetes as written: a DNS-1123 subdomain.
import { dns1123SubdomainErrors } from '../../apis/meta/v1/name_validation';
import type { NameCheck } from './strategy';

export const dnsSubdomainName = (name: string): NameCheck => ({ errors: dns1123SubdomainErrors(name) });
