// Proxy (core.apoxy.dev/v1alpha2): Apoxy's proxy deployment. switchyard stores it so Apoxy's
// example files apply whole; only provider is typed, the rest of the spec is kept as given.
// Schema: crds/core.apoxy.dev_proxies.yaml.
import type { Condition, KObject, ObjectMeta } from '../../meta/v1/types';

export const GROUP = 'core.apoxy.dev';
export const VERSION = 'v1alpha2';
export const KIND = 'Proxy';
export const LIST_KIND = 'ProxyList';
export const PLURAL = 'proxies';
export const SINGULAR = 'proxy';
export const API_VERSION = `${GROUP}/${VERSION}`;

export type InfraProvider = 'cloud' | 'kubernetes' | 'unmanaged';
export const INFRA_PROVIDERS: readonly InfraProvider[] = ['cloud', 'kubernetes', 'unmanaged'];
/** Apoxy reads an absent provider as cloud. */
export const DEFAULT_INFRA_PROVIDER: InfraProvider = 'cloud';

export interface ProxySpec {
  provider?: InfraProvider;
  /** Apoxy's shutdown, telemetry, envoy, ... kept unchanged */
  [extra: string]: unknown;
}

export interface ProxyStatus {
  conditions?: Condition[];
  observedGeneration?: number;
  [extra: string]: unknown;
}

export interface Proxy extends KObject {
  metadata: ObjectMeta;
  spec?: ProxySpec;
  status?: ProxyStatus;
}
