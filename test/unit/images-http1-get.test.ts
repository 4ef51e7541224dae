// http1Get against a raw TCP server that writes exactly the bytes each test forges, a few at a
// time, so every framing boundary falls inside and across reads.

import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { setImmediate as tick, setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { TdockerError } from '../../services/errors/tdocker-error.js';
import { http1Get, parseHead } from '../../services/images/http1-get.js';

type Reply = (socket: Socket, request: string) => Promise<void> | void;

let server: Server;
let port = 0;
let reply: Reply = () => {};
const open = new Set<Socket>();

/** Writes `bytes` in pieces of `piece` bytes, one per event-loop turn. */
async function dribble(socket: Socket, bytes: Buffer | string, piece = 7): Promise<void> {
  const b = Buffer.from(bytes);
  for (let off = 0; off < b.length; off += piece) {
    socket.write(b.subarray(off, off + piece));
    await tick();
  }
}

before(async () => {
  server = createServer((socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    socket.on('error', () => {});
    let req = '';
    socket.on('data', (d) => {
      req += d.toString('latin1');
      if (req.includes('\r\n\r\n')) void reply(socket, req);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
after(() => {
  for (const s of open) s.destroy();
  server.close();
});

const url = (path = '/v2/x/blobs/sha256:1') => new URL(`http://127.0.0.1:${port}${path}`);

/** Pumps the whole body, copying each lent chunk, waiting a turn every other chunk. */
async function body(res: Awaited<ReturnType<typeof http1Get>>): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  await res.pump((c) => {
    parts.push(Buffer.from(c));
    return n++ % 2 ? tick().then(() => undefined) : undefined;
  });
  return Buffer.concat(parts);
}

const says = (re: RegExp) => (err: unknown) => err instanceof TdockerError && err.code === 'UNAVAILABLE' && re.test(err.message);

describe('http1Get', () => {
  it('sends one GET with the given headers, and reads a Content-Length body lent chunk by chunk', async () => {
    const data = Buffer.from(Array.from({ length: 3000 }, (_, i) => i % 251));
    let seen = '';
    reply = async (s, req) => {
      seen = req;
      await dribble(s, `HTTP/1.1 200 OK\r\nContent-Length: ${data.length}\r\nX-Two: a\r\nx-two: b\r\n\r\n`);
      await dribble(s, data, 500);
      // Anything past the length is not body.
      s.end('garbage');
    };
    const res = await http1Get(url('/v2/x/blobs/sha256:1?n=1'), { authorization: 'Bearer t' });
    assert.equal(res.status, 200);
    assert.equal(res.headers['x-two'], 'a, b');
    assert.deepEqual(await body(res), data);
    assert.match(seen, /^GET \/v2\/x\/blobs\/sha256:1\?n=1 HTTP\/1\.1\r\n/);
    assert.match(seen, /\r\nauthorization: Bearer t\r\n/);
    assert.match(seen, /\r\nConnection: close\r\n/);
  });

  it('decodes a chunked body (extensions, trailers), and one that lasts until the connection closes', async () => {
    reply = async (s) => {
      await dribble(s, 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\nA\r\n, chunked!\r\n0\r\nX-Trailer: y\r\n\r\n', 3);
    };
    assert.equal((await body(await http1Get(url(), {}))).toString(), 'hello, chunked!');
    reply = async (s) => {
      await dribble(s, 'HTTP/1.0 200 OK\r\n\r\nuntil the end', 4);
      s.end();
    };
    assert.equal((await body(await http1Get(url(), {}))).toString(), 'until the end');
  });

  it('skips an interim response, and reads an error body as text', async () => {
    reply = async (s) => {
      await dribble(s, 'HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 19\r\n\r\n{"errors":"nothing"}');
    };
    const res = await http1Get(url(), {});
    assert.equal(res.status, 404);
    assert.equal(await res.text(100), '{"errors":"nothing"');
  });

  it('fails on a body cut short, a bad head, bad chunk framing, and a head too large', async () => {
    reply = async (s) => {
      await dribble(s, 'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this');
      s.end();
    };
    await assert.rejects(body(await http1Get(url(), {})), says(/closed with the body 91 bytes short/));
    reply = (s) => void s.end('HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\nx');
    await assert.rejects(http1Get(url(), {}), says(/bad content-length/));
    reply = (s) => void s.end('ICY 200 OK\r\n\r\n');
    await assert.rejects(http1Get(url(), {}), says(/bad status line/));
    reply = (s) => void s.end('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n');
    await assert.rejects(http1Get(url(), {}), says(/unsupported transfer-encoding/));
    reply = (s) => void s.end('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n');
    await assert.rejects(body(await http1Get(url(), {})), says(/bad chunked encoding/));
    reply = (s) => void s.end('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n');
    await assert.rejects(body(await http1Get(url(), {})), says(/closed with the body before its end/));
    reply = async (s) => {
      s.write('HTTP/1.1 200 OK\r\n');
      for (let i = 0; i < 80 && !s.destroyed; i++) {
        s.write(`X-Pad-${i}: ${'p'.repeat(1000)}\r\n`);
        await tick();
      }
    };
    await assert.rejects(http1Get(url(), {}), says(/head larger than/));
    reply = (s) => void s.destroy();
    await assert.rejects(http1Get(url(), {}), says(/connection closed|ECONNRESET/));
  });

  it('stops reading while the taker waits, and stops when the taker fails or the signal fires', async () => {
    const data = Buffer.alloc(4 << 20, 7);
    reply = (s) => void s.end(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${data.length}\r\n\r\n`), data]));
    let held = 0;
    let got = 0;
    let release: () => void = () => {};
    const res = await http1Get(url(), {});
    const pumped = res.pump((c) => {
      got += c.length;
      if (held++ === 0) return new Promise<void>((r) => (release = r));
      return undefined;
    });
    // While the first chunk is held, nothing more is lent.
    for (let i = 0; i < 20; i++) await tick();
    assert.equal(held, 1);
    release();
    await pumped;
    assert.equal(got, data.length);

    const failing = await http1Get(url(), {});
    await assert.rejects(
      failing.pump(() => {
        throw new Error('disk full');
      }),
      /disk full/,
    );

    const ac = new AbortController();
    const cancelled = await http1Get(url(), {}, ac.signal);
    await assert.rejects(
      cancelled.pump(() => {
        ac.abort();
        return tick().then(() => undefined);
      }),
      says(/cancelled/),
    );
    await assert.rejects(http1Get(url(), {}, ac.signal));
  });

  it('fails when the registry sends nothing for the idle time, but waits on a taker that is slow', async () => {
    reply = () => {}; // takes the request, never answers
    await assert.rejects(http1Get(url(), {}, undefined, 150), says(/nothing received for 0\.15 s/));
    reply = (socket) => { socket.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'); }; // the body stalls
    const stalled = await http1Get(url(), {}, undefined, 150);
    await assert.rejects(body(stalled), says(/nothing received/));
    reply = async (socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nabc');
      await sleep(50);
      socket.write('def');
    };
    const slow = await http1Get(url(), {}, undefined, 150);
    await sleep(300); // the caller pumps late
    const parts: Buffer[] = [];
    await slow.pump((c) => {
      parts.push(Buffer.from(c));
      return sleep(400).then(() => undefined); // and takes each chunk slowly
    });
    assert.equal(Buffer.concat(parts).toString(), 'abcdef');
  });

  it('parses a head: status, case-insensitive names, folded repeats; refuses a malformed line', () => {
    assert.deepEqual(parseHead('HTTP/1.1 307 Temporary Redirect\r\nLocation: /x\r\nA: 1\r\na: 2'), { status: 307, headers: { location: '/x', a: '1, 2' } });
    assert.throws(() => parseHead('HTTP/1.1 200 OK\r\nno colon here'), /bad header line/);
    assert.throws(() => parseHead('HTTP/1.1 200 OK\r\nbad name: x'), /bad header line/);
  });
});
