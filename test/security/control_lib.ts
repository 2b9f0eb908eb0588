// Helpers for the adversarial suite: the real `switchyard serve`, loopback upstreams, and raw
// sockets (what an attacker sends is sent byte for byte; the answer's status line is read back).
import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { freePort } from '../harness/ports';
import { startSwitchyard, type SwitchyardProcess } from '../harness/switchyard';
import { Api, waitFor } from '../apiserver/lib';

export interface Serve {
  sy: SwitchyardProcess;
  proxyPort: number;
  admin: Api;
  stop(): Promise<void>;
}

/** `switchyard serve` with the default flags plus `extraArgs` (the proxy on a loopback port). */
export async function startServe(extraArgs: string[] = []): Promise<Serve> {
  const proxyPort = await freePort();
  // a loaded 2-core machine can take a while to start the binary
  const sy = await startSwitchyard({ command: 'serve', extraArgs: ['--proxy-listen', `127.0.0.1:${proxyPort}`, ...extraArgs], readyTimeoutMs: 120_000 });
  const admin = new Api(sy.apiURL, sy.caFile, sy.adminToken);
  return {
    sy,
    proxyPort,
    admin,
    async stop() {
      await admin.close();
      await sy.stop();
    },
  };
}

export interface Upstream {
  port: number;
  hits: number;
  close(): Promise<void>;
}

/** A loopback HTTP upstream answering 200 with its name. */
export async function upstream(name: string): Promise<Upstream> {
  const state = { hits: 0 };
  const srv = http.createServer((_req, res) => {
    state.hits++;
    res.writeHead(200, { 'content-type': 'text/plain', 'x-upstream': name }).end(`${name}\n`);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  return {
    port: (srv.address() as AddressInfo).port,
    get hits() {
      return state.hits;
    },
    close: () =>
      new Promise<void>((r) => {
        srv.close(() => r());
        srv.closeAllConnections();
      }),
  };
}

export interface RawAnswer {
  status: number;
  /** everything read until the peer closed, the first response ended or the time ran out */
  text: string;
}

/**
 * Writes `request` on a fresh connection to 127.0.0.1:port and reads until the first response's
 * head (and Content-Length body) is in, the peer closes, or `timeoutMs`. Status 0: no status line.
 */
export function raw(port: number, request: string | Buffer, timeoutMs = 5_000): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    let buf = '';
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(buf);
      resolve({ status: m ? Number(m[1]) : 0, text: buf });
    };
    const timer = setTimeout(finish, timeoutMs);
    sock.on('connect', () => sock.write(request));
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const cl = /\r\ncontent-length:\s*(\d+)/i.exec(buf.slice(0, end));
      if (/^HTTP\/1\.1 200 Connection Established/.test(buf) || (cl && buf.length >= end + 4 + Number(cl[1]))) finish();
    });
    sock.on('error', finish);
    sock.on('close', finish);
  });
}

/** Polls until `fn` answers something other than `not` (bounded). */
export async function until(fn: () => Promise<number>, not: number[], what: string, timeoutMs = 15_000): Promise<number> {
  let last = 0;
  await waitFor(async () => {
    last = await fn();
    return !not.includes(last);
  }, timeoutMs, what, 100);
  return last;
}

export const BACKENDS = '/apis/core.apoxy.dev/v1alpha2/backends';
export const HTTPROUTES = '/apis/gateway.apoxy.dev/v1/httproutes';
export const GATEWAYS = '/apis/gateway.apoxy.dev/v1/gateways';
export const GATEWAYCLASSES = '/apis/gateway.apoxy.dev/v1/gatewayclasses';

export const backendObj = (name: string, spec: Record<string, unknown>, metadata: Record<string, unknown> = {}) => ({
  apiVersion: 'core.apoxy.dev/v1alpha2',
  kind: 'Backend',
  metadata: { name, ...metadata },
  spec,
});

export const routeObj = (name: string, spec: Record<string, unknown>, metadata: Record<string, unknown> = {}) => ({
  apiVersion: 'gateway.apoxy.dev/v1',
  kind: 'HTTPRoute',
  metadata: { name, ...metadata },
  spec,
});
