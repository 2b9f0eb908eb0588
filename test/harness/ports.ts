// Free TCP ports on loopback for servers the tests start. The kernel picks an unused port; we
// also remember what this process handed out so two callers never get the same one, and keep
// several listeners open at once when several ports are wanted (so they are distinct).
import * as net from 'node:net';

const handedOut = new Set<number>();

function listenEphemeral(host: string): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen({ host, port: 0, exclusive: true }, () => resolve(srv));
  });
}

function close(srv: net.Server): Promise<void> {
  return new Promise((resolve) => srv.close(() => resolve()));
}

/** `n` distinct ports that were free on `host` a moment ago and not handed out before. */
export async function freePorts(n: number, host = '127.0.0.1'): Promise<number[]> {
  const servers: net.Server[] = [];
  const ports: number[] = [];
  try {
    for (let tries = 0; ports.length < n; tries++) {
      if (tries > n + 200) throw new Error(`freePorts: could not find ${n} free ports on ${host}`);
      const srv = await listenEphemeral(host);
      servers.push(srv);
      const port = (srv.address() as net.AddressInfo).port;
      if (handedOut.has(port)) continue;
      handedOut.add(port);
      ports.push(port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map(close));
  }
}

/** One port that was free on 127.0.0.1 a moment ago. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return (await freePorts(1, host))[0];
}
