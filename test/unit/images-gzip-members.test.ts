// gzipMembers (gzip without its CRC-32) against zlib's own gunzip: the same bytes out for any
// split of the input, several members, the optional header fields; and an error for every way
// the framing can be broken.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { TdockerError } from '../../services/errors/tdocker-error.js';
import { gzipMembers } from '../../services/images/gzip-members.js';

/** `buf` in pieces of the sizes `sizes` gives (cycled), one per event-loop turn. */
async function* pieces(buf: Buffer, sizes: number[]): AsyncGenerator<Buffer> {
  for (let off = 0, i = 0; off < buf.length; i++) {
    const n = sizes[i % sizes.length]!;
    yield buf.subarray(off, off + n);
    off += n;
    await tick();
  }
}

async function inflate(buf: Buffer, sizes = [buf.length || 1]): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of gzipMembers(pieces(buf, sizes))) out.push(c);
  return Buffer.concat(out);
}

const says = (re: RegExp) => (err: unknown) => err instanceof TdockerError && err.code === 'INVALID_ARGUMENT' && re.test(err.message);

/** A gzip member with every optional header field, made by hand around a raw deflate stream. */
function fancyMember(data: Buffer): Buffer {
  const plain = gzipSync(data);
  const deflate = plain.subarray(10, plain.length - 8);
  const trailer = plain.subarray(plain.length - 8);
  const extra = Buffer.from('XY\x04\x00abcd', 'latin1');
  const head = Buffer.from([0x1f, 0x8b, 8, 2 | 4 | 8 | 16, 0, 0, 0, 0, 0, 3]);
  const xlen = Buffer.alloc(2);
  xlen.writeUInt16LE(extra.length);
  return Buffer.concat([head, xlen, extra, Buffer.from('name.tar\0comment\0', 'latin1'), Buffer.from([0xaa, 0xbb]), deflate, trailer]);
}

describe('gzipMembers', () => {
  const data = Buffer.concat([randomBytes(300_000), Buffer.alloc(700_000, 'text ')]);
  const gz = gzipSync(data);

  it('gives what gunzip gives, for any split of the input', async () => {
    assert.deepEqual(await inflate(gz), data);
    for (const sizes of [[4096], [65536, 1], [gz.length - 5, 1]]) assert.deepEqual(await inflate(gz, sizes), data, `split ${sizes}`);
    const small = Buffer.concat([randomBytes(3000), Buffer.alloc(20_000, 'text ')]);
    for (const sizes of [[1], [7, 3]]) assert.deepEqual(await inflate(gzipSync(small), sizes), small, `split ${sizes}`);
  });

  it('reads several members, optional header fields, and zero padding after the last', async () => {
    const a = Buffer.from('first member\n');
    const b = randomBytes(5_000);
    const joined = Buffer.concat([gzipSync(a), fancyMember(b), gzipSync(Buffer.alloc(0)), gzipSync(a), Buffer.alloc(1024)]);
    const want = Buffer.concat([a, b, a]);
    assert.deepEqual(await inflate(joined), want);
    // Member boundaries on every side of a piece boundary.
    for (const sizes of [[1], [9], [10, 11], [1000]]) assert.deepEqual(await inflate(joined, sizes), want, `split ${sizes}`);
  });

  it('does not compute the CRC-32 (the caller checks a digest), but checks the size in the trailer', async () => {
    const badCrc = Buffer.from(gz);
    badCrc.writeUInt32LE((badCrc.readUInt32LE(gz.length - 8) ^ 1) >>> 0, gz.length - 8);
    assert.deepEqual(await inflate(badCrc), data);
    const badSize = Buffer.from(gz);
    badSize.writeUInt32LE(data.length + 1, gz.length - 4);
    await assert.rejects(inflate(badSize), says(/size does not match/));
  });

  it('refuses truncated input anywhere: header, deflate stream, trailer, empty', async () => {
    for (const cut of [0, 5, 12, gz.length >> 1, gz.length - 9, gz.length - 3]) {
      await assert.rejects(inflate(gz.subarray(0, cut), [1000]), says(/truncated gzip stream/), `cut at ${cut}`);
    }
  });

  it('refuses a corrupt deflate stream, a bad header, and garbage after a member', async () => {
    // Broken Huffman codes (in stored blocks a changed byte is just other data: the digest the
    // caller checks catches that, see images-extract).
    const bad = gzipSync(Buffer.alloc(100_000, 'some text, compressed '));
    bad.fill(0xff, 20, 60);
    await assert.rejects(inflate(bad), says(/corrupt gzip stream/));
    await assert.rejects(inflate(Buffer.concat([Buffer.from([0x1f, 0x8b, 7]), gz.subarray(3)])), says(/unknown compression method/));
    await assert.rejects(inflate(Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0x20]), gz.subarray(4)])), says(/reserved header flags/));
    await assert.rejects(inflate(Buffer.concat([gz, Buffer.from('PK\x03\x04 not gzip')])), says(/trailing garbage/));
    const endless = Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 8, 0, 0, 0, 0, 0, 3]), Buffer.alloc(100 << 10, 0x41)]);
    await assert.rejects(inflate(endless, [4096]), says(/header field longer/));
  });

  it('stops cleanly when its reader stops early or its input fails', async () => {
    const it = gzipMembers(pieces(gz, [4096]));
    const first = await it.next();
    assert.equal(first.done, false);
    await it.return(undefined);
    async function* failing(): AsyncGenerator<Buffer> {
      yield gz.subarray(0, 5000);
      await tick();
      throw new Error('connection reset');
    }
    await assert.rejects(
      (async () => {
        for await (const c of gzipMembers(failing())) assert.ok(c.length > 0);
      })(),
      /connection reset/,
    );
  });
});
