// The load side of watch_fanout: a child process (forked, IPC) holding many HTTPS watch streams,
// each on its own TLS connection, noting when each stream first carries each write's mark
// (`"mark":"m<k>"`). Times are process.hrtime (CLOCK_MONOTONIC: the same clock in every process
// on the machine), so the parent compares them with when it sent the write.
// Messages: parent → {open: {url, path, ca, token, count}} | {close: true} | {report: true} | {exit: true}
//           child  → {opened: n, failed: string} | {mark: k} (all of this child's streams have it)
//                    | {arrivals: (number|null)[][]} (per mark, per stream, ms) | {closed: true}
import * as https from 'node:https';
import type { ClientRequest, IncomingMessage } from 'node:http';

const nowMs = () => Number(process.hrtime.bigint()) / 1e6;
const send = (m: unknown) => process.send!(m);

interface OpenCmd {
  url: string;
  path: string;
  ca: string;
  token: string;
  count: number;
}

let streams: { req: ClientRequest; res?: IncomingMessage }[] = [];
/** arrivals[mark][stream] */
let arrivals: (number | null)[][] = [];
let seen: number[] = [];
const MARK = /"mark":"m(\d+)"/g;

function openOne(c: OpenCmd, idx: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const u = new URL(c.path, c.url);
    // agent: false → a connection of its own, as 1,000 separate clients would have
    const req = https.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method: 'GET', ca: c.ca, agent: false, headers: { authorization: `Bearer ${c.token}`, accept: 'application/json' } }, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`watch ${idx}: HTTP ${res.statusCode}`));
        res.resume();
        return;
      }
      s.res = res;
      let carry = '';
      res.on('data', (chunk: Buffer) => {
        const t = nowMs();
        const text = carry + chunk.toString('latin1');
        const nl = text.lastIndexOf('\n');
        carry = nl >= 0 ? text.slice(nl + 1) : text;
        if (carry.length > 1 << 20) carry = carry.slice(-256); // bounded: a mark is found in whole lines only
        const whole = nl >= 0 ? text.slice(0, nl) : '';
        MARK.lastIndex = 0;
        let m: RegExpExecArray | null;
        while ((m = MARK.exec(whole))) {
          const k = Number(m[1]);
          const row = (arrivals[k] ??= []);
          if (row[idx] == null) {
            row[idx] = t;
            seen[k] = (seen[k] ?? 0) + 1;
            if (seen[k] === streams.length) send({ mark: k });
          }
        }
      });
      res.on('error', () => undefined);
      resolve();
    });
    const s: { req: ClientRequest; res?: IncomingMessage } = { req };
    streams[idx] = s;
    req.setTimeout(30_000, () => req.destroy(new Error('headers timeout')));
    req.on('error', reject);
    req.end();
  }).then(() => {
    streams[idx].req.setTimeout(0);
  });
}

async function open(c: OpenCmd): Promise<void> {
  streams = new Array(c.count);
  arrivals = [];
  seen = [];
  let opened = 0;
  let failed = '';
  // batches, so the TLS handshakes do not all queue at once; bounded by 150 s
  const t0 = Date.now();
  for (let i = 0; i < c.count && Date.now() - t0 < 150_000; i += 50) {
    const batch = Array.from({ length: Math.min(50, c.count - i) }, (_, j) => openOne(c, i + j));
    for (const r of await Promise.allSettled(batch)) {
      if (r.status === 'fulfilled') opened++;
      else failed ||= String(r.reason);
    }
  }
  streams = streams.filter((s) => s?.res);
  send({ opened, failed });
}

function closeAll(): void {
  for (const s of streams) s.req.destroy();
  streams = [];
}

process.on('message', (m: { open?: OpenCmd; close?: boolean; report?: boolean; exit?: boolean }) => {
  if (m.open) void open(m.open);
  else if (m.close) {
    closeAll();
    send({ closed: true });
  } else if (m.report) send({ arrivals });
  else if (m.exit) {
    closeAll();
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
