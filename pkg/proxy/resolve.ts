// How the data plane turns an endpoint host into an address: IP literals as they are, DNS names
// through the Backend's DNS cache (pkg/dns). A hit answers synchronously.
export interface HostResolver {
  /** addresses for host:port via `backend`'s cache: an array on a hit, a promise otherwise */
  resolve(backend: string, host: string, port: number): string[] | Promise<string[]>;
  /** the balancer picked this host for a request (the cache's "used") */
  used?(backend: string, host: string, port: number): void;
}
