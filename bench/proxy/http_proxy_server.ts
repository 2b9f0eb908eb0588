// The reference Node proxy for bench/proxy/run.ts: `http-proxy` (node-http-proxy) with a keep-alive
// agent and X-Forwarded-* like switchyard adds. Run under `taskset -a -c 0`.
//   node dist/bench/proxy/http_proxy_server.js --port P --upstream 127.0.0.1:U
import * as http from 'node:http';
import httpProxy from 'http-proxy';

function arg(name: string): string {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0 || !process.argv[i + 1]) throw new Error(`--${name} is required`);
  return process.argv[i + 1];
}

const port = Number(arg('port'));
const target = `http://${arg('upstream')}`;
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const proxy = httpProxy.createProxyServer({ target, agent, xfwd: true });
proxy.on('error', (_err, _req, res) => {
  const r = res as http.ServerResponse;
  if (!r.headersSent) r.writeHead(502);
  r.end();
});
const server = http.createServer({ keepAlive: true }, (req, res) => proxy.web(req, res));
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1', () => console.log(`READY ${port}`));
process.on('SIGTERM', () => process.exit(0));
