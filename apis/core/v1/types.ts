// Kubernetes' core group ("" / v1): Namespace, Secret, ConfigMap. Not core.apoxy.dev (../v1alpha2).
// Shapes only; rules in the *_validate.ts files beside.
import type { KObject } from '../../meta/v1/types';

export interface Namespace extends KObject {
  spec?: { finalizers?: string[] };
  status?: { phase?: 'Active' | 'Terminating'; conditions?: unknown[] };
}

export interface Secret extends KObject {
  /** base64 values */
  data?: Record<string, string>;
  /** write-only: merged into data on every write, never stored */
  stringData?: Record<string, string>;
  type?: string;
  immutable?: boolean;
}

export interface ConfigMap extends KObject {
  data?: Record<string, string>;
  /** base64 values */
  binaryData?: Record<string, string>;
  immutable?: boolean;
}

export const SECRET_TYPE_OPAQUE = 'Opaque';
export const SECRET_TYPE_TLS = 'kubernetes.io/tls';
export const SECRET_TYPE_BASIC_AUTH = 'kubernetes.io/basic-auth';
export const SECRET_TYPE_SSH_AUTH = 'kubernetes.io/ssh-auth';
export const SECRET_TYPE_DOCKER_CONFIG_JSON = 'kubernetes.io/dockerconfigjson';
export const SECRET_TYPE_DOCKERCFG = 'kubernetes.io/dockercfg';
export const TLS_CERT_KEY = 'tls.crt';
export const TLS_PRIVATE_KEY_KEY = 'tls.key';
/** kube's MaxSecretSize (also the ConfigMap limit) */
export const MAX_SECRET_SIZE = 1024 * 1024;

/** Namespaces every switchyard cluster has from its first start; neither may be deleted. */
export const DEFAULT_NAMESPACE = 'default';
export const SYSTEM_NAMESPACE = 'switchyard-system';
export const IMMORTAL_NAMESPACES: readonly string[] = [DEFAULT_NAMESPACE, SYSTEM_NAMESPACE];
