// The floor of watch_fanout: a plain node HTTPS server (the apiserver's own certificate) that holds
// chunked GET /watch responses and, on POST /fire?mark=m<k>, writes one event line of the same
// size and shape as the apiserver's to every held response (one Buffer made once, written to each),
// then answers the POST. What node's TLS costs for a fan-out with nothing else in the way.
//   node dist/bench/apiserver/watch_fanout_floor.js --cert F --key F --port N --line-file F
import * as fs from 'node:fs';
import * as https from 'node:https';
import type { ServerResponse } from 'node:http';
import { requiredArg } from '../lib/args';

const template = fs.readFileSync(requiredArg('line-file'), 'utf8');
const held = new Set<ServerResponse>();
const server = https.createServer({ cert: fs.readFileSync(requiredArg('cert')), key: fs.readFileSync(requiredArg('key')) }, (req, res) => {
  const u = new URL(req.url ?? '/', 'https://x');
  if (req.method === 'GET' && u.pathname === '/watch') {
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private' });
    res.flushHeaders();
    held.add(res);
    res.on('close', () => held.delete(res));
    return;
  }
  if (req.method === 'POST' && u.pathname === '/fire') {
    const mark = u.searchParams.get('mark') ?? 'm0';
    const line = Buffer.from(template.replace('"mark":"MARK"', `"mark":${JSON.stringify(mark)}`));
    for (const r of held) r.write(line);
    res.end('ok');
    return;
  }
  res.statusCode = 404;
  res.end();
});
server.listen(Number(requiredArg('port')), '127.0.0.1', () => process.stdout.write('floor ready\n'));
process.on('SIGTERM', () => process.exit(0));
