// A tiny authoritative DNS server on loopback that answers A/AAAA from a table IN THE GIVEN ORDER
// (dnsmasq rotates multi-record answers, so "the first address is dead" cannot be pinned with it).
// Other names: NXDOMAIN; other types: empty answer. TTL 60 s. UDP only.
import * as dgram from 'node:dgram';
import { isIPv4, isIPv6 } from 'node:net';

export class FixedDns {
  private constructor(
    private readonly sock: dgram.Socket,
    readonly port: number,
  ) {}

  get server(): string {
    return `127.0.0.1:${this.port}`;
  }

  static async start(records: Record<string, string[]>): Promise<FixedDns> {
    const sock = dgram.createSocket('udp4');
    sock.on('message', (msg, rinfo) => {
      const reply = answer(msg, records);
      if (reply) sock.send(reply, rinfo.port, rinfo.address);
    });
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(0, '127.0.0.1', () => resolve());
    });
    return new FixedDns(sock, sock.address().port);
  }

  close(): Promise<void> {
    return new Promise((r) => this.sock.close(() => r()));
  }
}

function answer(msg: Buffer, records: Record<string, string[]>): Buffer | null {
  if (msg.length < 12 || msg.readUInt16BE(4) !== 1) return null;
  // the question: labels, then type and class
  let i = 12;
  const labels: string[] = [];
  while (i < msg.length && msg[i] !== 0) {
    const n = msg[i]!;
    labels.push(msg.subarray(i + 1, i + 1 + n).toString('latin1'));
    i += 1 + n;
  }
  const qEnd = i + 5;
  if (qEnd > msg.length) return null;
  const type = msg.readUInt16BE(i + 1);
  const name = labels.join('.').toLowerCase();
  const known = Object.hasOwn(records, name);
  const addrs = known ? records[name]!.filter((a) => (type === 1 ? isIPv4(a) : type === 28 ? isIPv6(a) : false)) : [];
  const header = Buffer.alloc(12);
  header.writeUInt16BE(msg.readUInt16BE(0), 0);
  header.writeUInt16BE(0x8400 | (msg.readUInt16BE(2) & 0x0100) | 0x0080 | (known ? 0 : 3), 2); // QR AA (RD) RA, rcode
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(addrs.length, 6);
  const parts = [header, msg.subarray(12, qEnd)];
  for (const a of addrs) {
    const rdata = type === 1 ? Buffer.from(a.split('.').map(Number)) : ipv6Bytes(a);
    const rr = Buffer.alloc(12);
    rr.writeUInt16BE(0xc00c, 0);
    rr.writeUInt16BE(type, 2);
    rr.writeUInt16BE(1, 4);
    rr.writeUInt32BE(60, 6);
    rr.writeUInt16BE(rdata.length, 10);
    parts.push(rr, rdata);
  }
  return Buffer.concat(parts);
}

function ipv6Bytes(a: string): Buffer {
  const [head, tail] = a.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...new Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const b = Buffer.alloc(16);
  groups.forEach((g, k) => b.writeUInt16BE(parseInt(g, 16), k * 2));
  return b;
}
