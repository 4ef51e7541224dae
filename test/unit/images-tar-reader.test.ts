import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TdockerError } from '../../services/errors/tdocker-error.js';
import { fixChecksum, headerBlock, memberBlocks, paxBlocks, TAR_END } from '../../services/images/tar-writer.js';
import { paxRecord } from '../../services/images/tar-pax.js';
import { TarReader } from '../../services/images/tar-reader.js';
import { dir, file, forged, hardlink, parse, symlink, tar } from './images-fixtures.js';

const code = (c: string) => (err: unknown) => err instanceof TdockerError && err.code === c;
const says = (c: string, re: RegExp) => (err: unknown) => code(c)(err) && re.test((err as Error).message);

describe('tar reader: formats', () => {
  it('reads ustar members of every type with their metadata', () => {
    const buf = tar([
      dir('etc/', { mode: 0o2755, uid: 7, gid: 8, uname: 'u', gname: 'g' }),
      file('etc/passwd', 'root:x:0:0\n', { mode: 0o4755, uid: 1234, gid: 5678, mtime: 1_234_567_890 }),
      symlink('etc/link', '/etc/passwd'),
      hardlink('etc/hard', 'etc/passwd'),
      { m: { path: 'dev/null', type: 'char', mode: 0o666, devmajor: 1, devminor: 3 } },
      { m: { path: 'dev/sda', type: 'block', mode: 0o660, devmajor: 8, devminor: 0 } },
      { m: { path: 'run/fifo', type: 'fifo', mode: 0o600 } },
    ]);
    const { entries } = parse(buf);
    assert.deepEqual(entries.map((e) => [e.path, e.type]), [
      ['etc/', 'dir'],
      ['etc/passwd', 'file'],
      ['etc/link', 'symlink'],
      ['etc/hard', 'link'],
      ['dev/null', 'char'],
      ['dev/sda', 'block'],
      ['run/fifo', 'fifo'],
    ]);
    const [d, f, s, h, c, b] = entries;
    assert.equal(d!.mode, 0o2755);
    assert.deepEqual([d!.uid, d!.gid, d!.uname, d!.gname], [7, 8, 'u', 'g']);
    assert.equal(f!.mode, 0o4755);
    assert.deepEqual([f!.uid, f!.gid, f!.mtime, f!.size, f!.data], [1234, 5678, 1_234_567_890, 11, 'root:x:0:0\n']);
    assert.equal(s!.linkpath, '/etc/passwd');
    assert.equal(h!.linkpath, 'etc/passwd');
    assert.deepEqual([c!.devmajor, c!.devminor, b!.devmajor, b!.devminor], [1, 3, 8, 0]);
  });

  it('gives the same result whatever the chunking', () => {
    const buf = tar([file('a', 'x'.repeat(1000)), file('b', ''), dir('c'), file('c/d', 'y'.repeat(513))]);
    const whole = parse(buf, buf.length);
    for (const chunk of [1, 7, 511, 512, 513, 4096]) assert.deepEqual(parse(buf, chunk).entries, whole.entries);
    let seed = 3;
    assert.deepEqual(parse(buf, () => (seed = (seed * 7919) % 1021)).entries, whole.entries);
  });

  it('hands on every byte exactly once: raw bytes plus data rebuild the archive', () => {
    const buf = Buffer.concat([tar([file('a', 'hello'), symlink('l', 'a'), file('b', 'z'.repeat(700))], false), TAR_END, Buffer.alloc(3000)]);
    const raws: Buffer[] = [];
    const out: Buffer[] = [];
    let pos = 0;
    const r = new TarReader({
      entry: () => {},
      data: (c) => out.push(Buffer.from(c)),
      entryEnd: () => {},
      raw: (c) => raws.push(Buffer.from(c)),
    });
    for (; pos < buf.length; pos += 100) r.write(buf.subarray(pos, pos + 100));
    r.end();
    const total = raws.reduce((n, b) => n + b.length, 0) + out.reduce((n, b) => n + b.length, 0);
    assert.equal(total, buf.length);
  });

  it('joins the ustar prefix and name', () => {
    const long = `${'d'.repeat(120)}/${'f'.repeat(90)}`;
    const { entries } = parse(tar([file(long, 'x')]));
    assert.equal(entries[0]!.path, long);
  });

  it('reads pax path, linkpath, size, uid, gid, mtime and binary xattrs', () => {
    const cap = Buffer.from([0x01, 0x00, 0x00, 0x02, 0x00, 0x20, 0x00, 0x00, 0xff, 0x0a, 0x3d]);
    const longPath = `${'p/'.repeat(200)}file`;
    const longLink = `/${'t'.repeat(300)}`;
    const buf = Buffer.concat([
      paxBlocks([
        paxRecord('path', longPath),
        paxRecord('uid', '3000000'),
        paxRecord('gid', '4000000'),
        paxRecord('mtime', '1700000000.123456789'),
        paxRecord('SCHILY.xattr.security.capability', cap),
      ]),
      forged({ name: 'short-name', typeflag: '0', uid: 1, gid: 1 }, Buffer.from('data')),
      paxBlocks([paxRecord('linkpath', longLink), paxRecord('path', 'ünïcødé')]),
      forged({ name: 'x', typeflag: '2', linkname: 'y' }),
      TAR_END,
    ]);
    const { entries } = parse(buf, 13);
    const [f, l] = entries;
    assert.equal(f!.path, longPath);
    assert.deepEqual([f!.uid, f!.gid], [3_000_000, 4_000_000]);
    assert.equal(f!.mtime, 1700000000.123456789);
    assert.deepEqual(f!.xattrs?.get('security.capability'), cap);
    assert.equal(f!.data, 'data');
    assert.equal(l!.path, 'ünïcødé');
    assert.equal(l!.linkpath, longLink);
  });

  it('lets a pax size override the header size', () => {
    const buf = Buffer.concat([paxBlocks([paxRecord('size', '5')]), forged({ name: 'f', typeflag: '0', size: 0 }), Buffer.from('hello'), Buffer.alloc(507), TAR_END]);
    assert.equal(parse(buf).entries[0]!.data, 'hello');
  });

  it('applies pax global headers to every later member', () => {
    const global = Buffer.concat([headerBlock({ name: 'g', typeflag: 'g', size: 0 })]);
    const records = Buffer.concat([paxRecord('uid', '99'), paxRecord('uname', 'global')]);
    const g = Buffer.concat([headerBlock({ name: 'g', typeflag: 'g', size: records.length }), records, Buffer.alloc(512 - records.length)]);
    const { entries } = parse(Buffer.concat([global, g, tar([file('a'), file('b', '', { uid: 5 })])]));
    assert.deepEqual(entries.map((e) => [e.path, e.uid, e.uname]), [
      ['a', 99, 'global'],
      ['b', 99, 'global'],
    ]);
  });

  it('reads GNU long names (L) and long link targets (K)', () => {
    const name = `${'n'.repeat(300)}/file`;
    const link = `${'l'.repeat(250)}`;
    const buf = Buffer.concat([
      forged({ name: '././@LongLink', typeflag: 'L', magic: 'gnu' }, Buffer.from(`${name}\0`)),
      forged({ name: name.slice(0, 100), typeflag: '0', magic: 'gnu' }, Buffer.from('abc')),
      forged({ name: '././@LongLink', typeflag: 'K', magic: 'gnu' }, Buffer.from(`${link}\0`)),
      forged({ name: '././@LongLink', typeflag: 'L', magic: 'gnu' }, Buffer.from(`sym-${'s'.repeat(200)}\0`)),
      forged({ name: 'sym', typeflag: '2', linkname: link.slice(0, 100), magic: 'gnu' }),
      TAR_END,
    ]);
    const { entries } = parse(buf, 100);
    assert.equal(entries[0]!.path, name);
    assert.equal(entries[0]!.data, 'abc');
    assert.equal(entries[1]!.path, `sym-${'s'.repeat(200)}`);
    assert.equal(entries[1]!.linkpath, link);
  });

  it('reads GNU base-256 numbers', () => {
    const h = headerBlock({ name: 'big', typeflag: '0', magic: 'gnu' });
    // uid 2^40 in base-256 (8 bytes, high bit set).
    h.fill(0, 108, 116);
    h[108] = 0x80;
    h.writeUIntBE(2 ** 40, 110, 6);
    fixChecksum(h);
    const { entries } = parse(Buffer.concat([h, TAR_END]));
    assert.equal(entries[0]!.uid, 2 ** 40);
  });

  it('reads v7 headers (no magic, directories by a trailing slash)', () => {
    const h = headerBlock({ name: 'olddir/', typeflag: '0' });
    h.fill(0, 257, 265);
    fixChecksum(h);
    const { entries } = parse(Buffer.concat([h, TAR_END]));
    assert.equal(entries[0]!.type, 'dir');
  });

  it('skips data a directory or link header claims (header-only types), like Go and Docker', () => {
    const buf = Buffer.concat([forged({ name: 'd/', typeflag: '5', size: 0 }), headerBlock({ name: 'l', typeflag: '1', linkname: 'd', size: 0 }), TAR_END]);
    assert.deepEqual(parse(buf).entries.map((e) => e.size), [0, 0]);
  });

  it('round-trips long names and link targets through the writer', () => {
    const path = `${'x'.repeat(99)}/${'y'.repeat(101)}/${'z'.repeat(60)}`;
    const buf = tar([file(path, 'q'), symlink('s', `/${'t'.repeat(150)}`), { m: { path: 'big-ids', type: 'file', mode: 0o600, uid: 2 ** 31, gid: 2 ** 22 } }]);
    const { entries } = parse(buf);
    assert.equal(entries[0]!.path, path);
    assert.equal(entries[1]!.linkpath, `/${'t'.repeat(150)}`);
    assert.deepEqual([entries[2]!.uid, entries[2]!.gid], [2 ** 31, 2 ** 22]);
  });
});

describe('tar reader: damaged and hostile archives', () => {
  it('refuses a header whose checksum does not match', () => {
    const buf = tar([file('a', 'x')]);
    buf[10] ^= 0x55;
    assert.throws(() => parse(buf), says('INVALID_ARGUMENT', /checksum mismatch/));
  });

  it('refuses input that is not a tar archive', () => {
    assert.throws(() => parse(Buffer.from('hello world, this is not a tar file at all'.repeat(20))), code('INVALID_ARGUMENT'));
  });

  it('refuses an empty input', () => {
    assert.throws(() => parse(Buffer.alloc(0)), says('INVALID_ARGUMENT', /empty/));
  });

  it('refuses archives cut inside data, inside a header, or before the end marker', () => {
    const buf = tar([file('a', 'x'.repeat(2000)), file('b', 'y')]);
    assert.throws(() => parse(buf.subarray(0, 1000)), says('INVALID_ARGUMENT', /truncated.*'a' needs/));
    assert.throws(() => parse(buf.subarray(0, 512 * 5 + 100)), says('INVALID_ARGUMENT', /truncated.*inside a header/));
    assert.throws(() => parse(buf.subarray(0, 512 * 7)), says('INVALID_ARGUMENT', /end-of-archive marker is missing/));
    assert.throws(() => parse(Buffer.concat([paxBlocks([paxRecord('path', 'p')])])), says('INVALID_ARGUMENT', /truncated/));
  });

  it('refuses absurd sizes without trying to read them', () => {
    const huge = headerBlock({ name: 'huge', typeflag: '0' });
    huge.write('77777777777\0', 124, 12, 'latin1');
    fixChecksum(huge);
    assert.throws(() => parse(Buffer.concat([huge, Buffer.alloc(1024)]), 512, { maxEntrySize: 1 << 30 }), says('RESOURCE_EXHAUSTED', /claims 8589934591 bytes/));
    const b256 = headerBlock({ name: 'b256', typeflag: '0' });
    b256.fill(0xff, 124, 136);
    b256[124] = 0xbf;
    fixChecksum(b256);
    assert.throws(() => parse(Buffer.concat([b256, Buffer.alloc(1024)])), says('INVALID_ARGUMENT', /size out of range/));
    const neg = headerBlock({ name: 'neg', typeflag: '0' });
    neg.fill(0xff, 124, 136);
    fixChecksum(neg);
    assert.throws(() => parse(Buffer.concat([neg, Buffer.alloc(1024)])), says('INVALID_ARGUMENT', /negative size/));
    const paxHuge = Buffer.concat([paxBlocks([paxRecord('size', '99999999999999999999')]), forged({ name: 'f', typeflag: '0' }), TAR_END]);
    assert.throws(() => parse(paxHuge), says('INVALID_ARGUMENT', /corrupt pax header/));
  });

  it('bounds pax and GNU long-name data', () => {
    const h = headerBlock({ name: '././@LongLink', typeflag: 'L', size: 1 << 30, magic: 'gnu' });
    assert.throws(() => parse(Buffer.concat([h, Buffer.alloc(1024)])), says('INVALID_ARGUMENT', /claims 1073741824 bytes/));
  });

  it('refuses malformed pax records', () => {
    for (const body of ['9 path=abc\n', 'x path=a\n', '8 pathab\n', '100 path=a\n']) {
      const data = Buffer.from(body);
      const buf = Buffer.concat([forged({ name: 'pax', typeflag: 'x' }, data), forged({ name: 'f', typeflag: '0' }), TAR_END]);
      assert.throws(() => parse(buf), says('INVALID_ARGUMENT', /corrupt pax header/), body);
    }
  });

  it('refuses non-octal garbage in numeric fields', () => {
    const h = headerBlock({ name: 'a', typeflag: '0' });
    h.write('12x4567\0', 100, 8, 'latin1');
    fixChecksum(h);
    assert.throws(() => parse(Buffer.concat([h, TAR_END])), says('INVALID_ARGUMENT', /mode is not an octal number/));
  });

  it('refuses member types it cannot extract faithfully', () => {
    assert.throws(() => parse(Buffer.concat([forged({ name: 's', typeflag: 'S', magic: 'gnu' }), TAR_END])), says('INVALID_ARGUMENT', /sparse/));
    assert.throws(() => parse(Buffer.concat([forged({ name: 'q', typeflag: 'Q' }), TAR_END])), says('INVALID_ARGUMENT', /type 'Q'/));
    const sparsePax = Buffer.concat([paxBlocks([paxRecord('GNU.sparse.major', '1')]), forged({ name: 'f', typeflag: '0' }), TAR_END]);
    assert.throws(() => parse(sparsePax), says('INVALID_ARGUMENT', /sparse/));
  });

  it('refuses an extended header that has no member after it', () => {
    const buf = Buffer.concat([paxBlocks([paxRecord('path', 'p')]), TAR_END]);
    assert.throws(() => parse(buf), says('INVALID_ARGUMENT', /has no member/));
  });

  it('keeps duplicates in order for the writer to resolve (last wins there)', () => {
    const { entries } = parse(tar([file('a', 'one'), file('a', 'two')]));
    assert.deepEqual(entries.map((e) => e.data), ['one', 'two']);
  });

  it('ignores what follows the end-of-archive marker', () => {
    const buf = Buffer.concat([tar([file('a', 'x')]), Buffer.from('trailing garbage')]);
    assert.equal(parse(buf).entries.length, 1);
  });

  it('writes members that read back the same', () => {
    const m = memberBlocks({ path: 'f', type: 'file', mode: 0o640, uid: 1, gid: 2, mtime: 3 }, Buffer.from('abc'));
    const e = parse(Buffer.concat([m, TAR_END])).entries[0]!;
    assert.deepEqual([e.path, e.mode, e.uid, e.gid, e.mtime, e.data], ['f', 0o640, 1, 2, 3, 'abc']);
  });
});
