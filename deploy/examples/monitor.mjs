#!/usr/bin/env node
// A Tiny Docker fleet monitor that speaks the NATS text protocol over a plain TCP socket: no NATS
// client library and no project code, so it shows everything a subscriber in any language needs.
//
//   node monitor.mjs [--json] [--subject SUBJECT] [nats://[user:pass@|token@]host:port]
//
// The URL defaults to $NATS_URL, then nats://127.0.0.1:4222 (a daemon's embedded server writes its
// URL to <root>/nats/url). It prints one line per container event of every host:
//
//   2024-05-01T12:00:00.123456789Z node1 3f2a1b9c0d4e start web busybox state=running pid=4242 seq=3
//
// or, with --json, each CloudEvent as it arrived. It reconnects by itself. Plain subscribers see a
// publish the daemon retried after an outage once per attempt (JetStream keeps only one), so it
// drops an event whose (source, container, seq) it has already printed.
//
// The protocol in brief (https://docs.nats.io/reference/reference-protocols/nats-protocol):
// the server greets with `INFO {json}`; the client sends `CONNECT {json}` and `SUB <subject> <sid>`;
// messages arrive as `MSG <subject> <sid> [reply] <bytes>\r\n<payload>\r\n` (or `HMSG` with headers
// first when the client said it supports them); the server sends `PING` and expects `PONG`.
import { connect } from 'node:net';

const args = process.argv.slice(2);
let json = false;
let subject = 'tdocker.events.>';
let url = process.env.NATS_URL || 'nats://127.0.0.1:4222';
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--json') json = true;
  else if (a === '--subject') subject = args[++i];
  else if (a === '-h' || a === '--help') {
    process.stdout.write('usage: monitor.mjs [--json] [--subject SUBJECT] [nats://[user:pass@|token@]host:port]\n');
    process.exit(0);
  } else url = a;
}

const u = new URL(url.includes('://') ? url : `nats://${url}`);
const host = u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1';
const port = Number(u.port || 4222);
const lastSeq = new Map(); // `${source} ${container}` → last printed seq
let stopping = false;
let current; // the live socket

function connectOnce() {
  const sock = connect({ host, port });
  current = sock;
  let buf = Buffer.alloc(0);
  let greeted = false;
  let subscribed = false;

  sock.on('data', (chunk) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    for (;;) {
      const nl = buf.indexOf('\r\n');
      if (nl < 0) return;
      const line = buf.subarray(0, nl).toString('utf8');
      const [op, ...f] = line.split(' ');
      if (op === 'MSG' || op === 'HMSG') {
        // MSG subject sid [reply] size | HMSG subject sid [reply] hdrsize size
        const size = Number(f[f.length - 1]);
        const hdr = op === 'HMSG' ? Number(f[f.length - 2]) : 0;
        if (buf.length < nl + 2 + size + 2) return; // wait for the whole payload
        const payload = buf.subarray(nl + 2 + hdr, nl + 2 + size);
        buf = buf.subarray(nl + 2 + size + 2);
        onMessage(f[0], payload);
        continue;
      }
      buf = buf.subarray(nl + 2);
      if (op === 'PING') sock.write('PONG\r\n');
      else if (op === 'INFO' && !greeted) {
        greeted = true;
        const info = JSON.parse(line.slice(5));
        if (info.tls_required) fatal('the server requires TLS, which this example does not speak');
        const conn = { verbose: false, pedantic: false, lang: 'raw-tcp', version: '1.0.0', protocol: 1, headers: false, name: 'tdocker-monitor' };
        if (u.username && u.password) Object.assign(conn, { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) });
        else if (u.username) conn.auth_token = decodeURIComponent(u.username);
        sock.write(`CONNECT ${JSON.stringify(conn)}\r\nSUB ${subject} 1\r\nPING\r\n`);
      } else if (op === '-ERR') process.stderr.write(`monitor: server error: ${line.slice(5)}\n`);
      else if (op === 'PONG' && !subscribed) {
        subscribed = true; // the server answers PING in order: the SUB before it is in place
        process.stderr.write(`monitor: subscribed to ${subject} on ${host}:${port}\n`);
      }
      // +OK, later PONGs and INFOs (cluster changes) need nothing
    }
  });
  sock.on('error', (err) => process.stderr.write(`monitor: ${err.message}\n`));
  sock.on('close', () => {
    if (stopping) return;
    setTimeout(connectOnce, 1000);
  });
}

function onMessage(subj, payload) {
  let e;
  try {
    e = JSON.parse(payload.toString('utf8'));
  } catch {
    return;
  }
  const key = `${e.source} ${e.subject}`;
  if (typeof e.seq === 'number') {
    if (e.seq <= (lastSeq.get(key) ?? 0)) return;
    lastSeq.set(key, e.seq);
  }
  if (json) {
    process.stdout.write(JSON.stringify(e) + '\n');
    return;
  }
  const d = e.data ?? {};
  const hostName = String(e.source ?? '').replace(/^tdocker:\/\//, '');
  const extra = [`state=${d.state}`];
  if (d.pid !== undefined) extra.push(`pid=${d.pid}`);
  if (d.exitCode !== undefined) extra.push(`exitCode=${d.exitCode}`);
  if (d.signal !== undefined) extra.push(`signal=${d.signal}`);
  if (d.oomKilled) extra.push('oomKilled=true');
  extra.push(`seq=${e.seq}`);
  process.stdout.write(`${e.time} ${decodeURIComponent(hostName)} ${String(e.subject).slice(0, 12)} ${d.action ?? subj.split('.').pop()} ${d.name} ${d.image} ${extra.join(' ')}\n`);
}

function fatal(msg) {
  process.stderr.write(`monitor: ${msg}\n`);
  process.exit(1);
}

connectOnce();
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    stopping = true;
    current?.end();
    process.exit(0);
  });
}
