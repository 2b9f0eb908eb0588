// A bounded load generator for instruction counts (callgrind): exactly --requests keep-alive GETs
// over --connections sockets, each waiting for its response (Content-Length framed) before the next.
//   node dist/bench/proxy/bounded_load.js --port P [--requests 20000] [--connections 50] [--path /]
import * as net from 'node:net';
import { arg, requiredArg } from '../lib/args';

const port = Number(requiredArg('port'));
const total = Number(arg('requests', '20000'));
const conns = Number(arg('connections', '50'));
const reqBuf = Buffer.from(`GET ${arg('path', '/')} HTTP/1.1\r\nHost: bench.local\r\nUser-Agent: bounded-load\r\nAccept: */*\r\n\r\n`, 'latin1');

let sent = 0;
let done = 0;
let bad = 0;
const started = process.hrtime.bigint();

function one(): void {
  const s = net.connect({ host: '127.0.0.1', port });
  s.setNoDelay(true);
  let buf: Buffer = Buffer.alloc(0);
  const next = () => {
    if (sent >= total) return void s.end();
    sent++;
    s.write(reqBuf);
  };
  s.on('connect', next);
  s.on('data', (d: Buffer) => {
    buf = buf.length ? Buffer.concat([buf, d]) : d;
    for (;;) {
      const h = buf.indexOf('\r\n\r\n');
      if (h < 0) return;
      const head = buf.toString('latin1', 0, h);
      const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
      const len = m ? Number(m[1]) : 0;
      if (buf.length < h + 4 + len) return;
      if (!head.startsWith('HTTP/1.1 200')) bad++;
      buf = buf.subarray(h + 4 + len);
      done++;
      if (done === total) finish();
      next();
    }
  });
  s.on('error', (e) => {
    console.error('loader socket error', e.message);
    process.exit(1);
  });
}

function finish(): void {
  const s = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(JSON.stringify({ requests: done, bad, seconds: s, rps: done / s }));
  process.exit(bad ? 1 : 0);
}

for (let i = 0; i < conns; i++) one();
