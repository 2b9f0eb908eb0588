// Fallback upstream for bench/proxy/run.ts when nginx is not installed: answers 200 "ok".
//   node dist/bench/proxy/node_upstream.js --port U
import * as http from 'node:http';

const i = process.argv.indexOf('--port');
const port = Number(process.argv[i + 1]);
const body = Buffer.from('ok\n');
const server = http.createServer({ keepAlive: true }, (_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
  res.end(body);
});
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1', () => console.log(`READY ${port}`));
process.on('SIGTERM', () => process.exit(0));
