// Layer extraction against hostile archives: each test makes its archive in code, extracts it
// into a layer directory next to a "host" directory standing for the rest of the machine, and
// checks that the host directory is untouched. Ownership and device nodes need root.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { TdockerError } from '../../services/errors/tdocker-error.js';
import { extractLayer, type ExtractOptions } from '../../services/images/extract-layer.js';
import { canSetXattrs } from '../../services/images/special-files.js';
import { paxRecord } from '../../services/images/tar-pax.js';
import { paxBlocks, TAR_END } from '../../services/images/tar-writer.js';
import { MNT_DETACH, MS_RDONLY, mount, umount2 } from '../../native/libc.js';
import { dir, file, forged, hardlink, isRoot, noise, streamOf, symlink, tar, tempDir, type Part } from './images-fixtures.js';

const says = (c: string, re: RegExp) => (err: unknown) => err instanceof TdockerError && err.code === c && re.test(err.message);

let base: ReturnType<typeof tempDir>;
let host: string;
let n = 0;

function snapshot(dirPath: string): string {
  return execFileSync('sh', ['-c', `cd "${dirPath}" && find . -printf '%p %y %m %s %T@ %l\\n' | sort`], { encoding: 'utf8' });
}

async function extract(parts: Part[] | Buffer, opts: ExtractOptions = {}): Promise<{ root: string; layer: Awaited<ReturnType<typeof extractLayer>> }> {
  const dirPath = join(base.path, `layer-${++n}`);
  const buf = Buffer.isBuffer(parts) ? parts : tar(parts);
  const layer = await extractLayer(streamOf(buf, 1000), dirPath, opts);
  return { root: join(dirPath, 'diff'), layer };
}

/** `buf` in chunks, each after a turn of the event loop. */
async function* paced(buf: Buffer, chunk: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < buf.length; i += chunk) {
    await new Promise((resolve) => setImmediate(resolve));
    yield buf.subarray(i, i + chunk);
  }
}

describe('layer extraction', () => {
  let hostBefore = '';
  before(() => {
    base = tempDir();
    host = join(base.path, 'host');
    mkdirSync(join(host, 'etc'), { recursive: true });
    writeFileSync(join(host, 'etc/passwd'), 'host passwd\n');
    hostBefore = snapshot(host);
  });
  after(() => {
    assert.equal(snapshot(host), hostBefore, 'the host directory changed');
    base.remove();
  });

  it('extracts files, directories, symlinks and hard links like tar, with the digest of the uncompressed tar', async () => {
    const buf = tar([dir('etc'), file('etc/a', 'alpha'), symlink('etc/s', 'a'), hardlink('etc/h', 'etc/a'), file('top', 'x')]);
    const { root, layer } = await extract(buf);
    assert.equal(layer.diffId, `sha256:${createHash('sha256').update(buf).digest('hex')}`);
    assert.equal(layer.tarSize, buf.length);
    assert.equal(layer.size, 6);
    assert.equal(readFileSync(join(root, 'etc/a'), 'utf8'), 'alpha');
    assert.equal(readlinkSync(join(root, 'etc/s')), 'a');
    assert.equal(statSync(join(root, 'etc/h')).ino, statSync(join(root, 'etc/a')).ino);
  });

  it('gives the same digest and files for the gzip of the same tar', async () => {
    const buf = tar([file('a', 'same')]);
    const plain = await extract(buf);
    const gz = await extract(gzipSync(buf));
    assert.equal(gz.layer.diffId, plain.layer.diffId);
    assert.equal(readFileSync(join(gz.root, 'a'), 'utf8'), 'same');
  });

  it('tells plain from gzip when the first chunks hold fewer than the 8 bytes it looks at', async () => {
    const buf = tar([file('a', 'split')]);
    const want = `sha256:${createHash('sha256').update(buf).digest('hex')}`;
    for (const input of [buf, gzipSync(buf)]) {
      // A reused buffer, as a socket lends it: every chunk is overwritten once taken.
      const lent = Buffer.alloc(input.length);
      async function* dribble(): AsyncGenerator<Buffer> {
        for (const [a, b] of [[0, 3], [3, 5], [5, 11], [11, input.length]]) {
          input.copy(lent, 0, a, b);
          yield lent.subarray(0, b - a);
          lent.fill(0xee);
        }
      }
      const dirPath = join(base.path, `layer-${++n}`);
      const layer = await extractLayer(dribble(), dirPath);
      assert.equal(layer.diffId, want);
      assert.equal(readFileSync(join(dirPath, 'diff/a'), 'utf8'), 'split');
    }
  });

  it('refuses members that climb out with ..', async () => {
    await assert.rejects(extract([file('../x', 'evil')]), says('INVALID_ARGUMENT', /'\.\.\/x' escapes the root/));
    await assert.rejects(extract([dir('a'), file('a/../../x', 'evil')]), says('INVALID_ARGUMENT', /escapes the root/));
    assert.equal(existsSync(join(base.path, 'x')), false);
  });

  it('keeps absolute members inside the layer, as tar strips the leading /', async () => {
    const { root } = await extract([file(`${host}/etc/passwd`, 'evil'), file('/abs', 'a')]);
    assert.equal(readFileSync(join(root, host, 'etc/passwd'), 'utf8'), 'evil');
    assert.equal(readFileSync(join(root, 'abs'), 'utf8'), 'a');
  });

  it('follows a symlinked parent inside the layer, never out of it (a -> /etc, then a/passwd)', async () => {
    const { root } = await extract([symlink('a', `${host}/etc`), file('a/passwd', 'evil')]);
    assert.equal(readFileSync(join(root, host, 'etc/passwd'), 'utf8'), 'evil');
    assert.equal(readlinkSync(join(root, 'a')), `${host}/etc`);
  });

  it('clamps relative symlinks that climb above the layer at its root', async () => {
    const { root } = await extract([symlink('up', '../../../../../../..'), file('up/escaped', 'e'), symlink('d/deep', '../../..'), file('d/deep/x', 'x')]);
    assert.equal(readFileSync(join(root, 'escaped'), 'utf8'), 'e');
    assert.equal(readFileSync(join(root, 'x'), 'utf8'), 'x');
  });

  it('follows symlink chains inside the layer', async () => {
    const { root } = await extract([symlink('a', 'b'), symlink('b', 'c'), symlink('c', `${host}/etc`), file('a/passwd', 'chain')]);
    assert.equal(readFileSync(join(root, host, 'etc/passwd'), 'utf8'), 'chain');
  });

  it('refuses symlink loops', async () => {
    await assert.rejects(extract([symlink('a', 'b'), symlink('b', 'a'), file('a/x', 'x')]), says('INVALID_ARGUMENT', /too many levels of symbolic links/));
  });

  it('replaces a symlink named by a later member instead of writing through it', async () => {
    const { root } = await extract([symlink('f', `${host}/etc/passwd`), file('f', 'replaced'), symlink('d', `${host}/etc`), dir('d')]);
    assert.equal(lstatSync(join(root, 'f')).isFile(), true);
    assert.equal(readFileSync(join(root, 'f'), 'utf8'), 'replaced');
    assert.equal(lstatSync(join(root, 'd')).isDirectory(), true);
  });

  it('refuses hard links to targets outside the layer', async () => {
    await assert.rejects(extract([hardlink('h', '../../etc/passwd')]), says('INVALID_ARGUMENT', /escapes the root/));
    await assert.rejects(extract([hardlink('h', `${host}/etc/passwd`)]), (err) => err instanceof TdockerError && /does not exist in the layer|not in the layer/.test(err.message));
    await assert.rejects(extract([symlink('a', `${host}/etc`), hardlink('h', 'a/passwd')]), (err) => err instanceof TdockerError && /not in the layer|does not exist/.test(err.message));
  });

  it('makes a hard link to a symlink a second symlink, not a link to its target', async () => {
    const { root } = await extract([symlink('s', `${host}/etc/passwd`), hardlink('h', 's')]);
    assert.equal(lstatSync(join(root, 'h')).isSymbolicLink(), true);
    assert.equal(readlinkSync(join(root, 'h')), `${host}/etc/passwd`);
  });

  it('refuses a hard link to a directory', async () => {
    await assert.rejects(extract([dir('d'), hardlink('h', 'd')]), says('INVALID_ARGUMENT', /hard link to a directory/));
  });

  it('lets the last of duplicate members win, whatever their types', async () => {
    const { root } = await extract([
      file('f', 'one'),
      file('f', 'two'),
      dir('d'),
      file('d/inner', 'i'),
      file('d', 'file now'),
      file('g', 'file'),
      dir('g'),
      file('g/x', 'x'),
      dir('g', { mode: 0o700 }),
    ]);
    assert.equal(readFileSync(join(root, 'f'), 'utf8'), 'two');
    assert.equal(readFileSync(join(root, 'd'), 'utf8'), 'file now');
    assert.equal(statSync(join(root, 'g')).mode & 0o777, 0o700);
    assert.equal(readFileSync(join(root, 'g/x'), 'utf8'), 'x');
  });

  it('does not disturb an earlier hard link when its target is replaced', async () => {
    const { root } = await extract([file('a', 'old'), hardlink('b', 'a'), file('a', 'new')]);
    assert.equal(readFileSync(join(root, 'a'), 'utf8'), 'new');
    assert.equal(readFileSync(join(root, 'b'), 'utf8'), 'old');
  });

  it('restores modes (setuid, setgid, sticky) and mtimes, directories last', async () => {
    const { root } = await extract([
      dir('d', { mode: 0o1777, mtime: 1_000_000_000 }),
      file('d/suid', '#!', { mode: 0o4755, mtime: 1_100_000_000 }),
      file('d/sgid', '', { mode: 0o2711 }),
      file('ro', 'r', { mode: 0o400 }),
      { m: { path: 'l', type: 'symlink', mode: 0o777, linkpath: 'ro', mtime: 1_200_000_000 } },
    ]);
    assert.equal(statSync(join(root, 'd')).mode & 0o7777, 0o1777);
    assert.equal(statSync(join(root, 'd')).mtimeMs, 1_000_000_000_000);
    assert.equal(statSync(join(root, 'd/suid')).mode & 0o7777, 0o4755);
    assert.equal(statSync(join(root, 'd/suid')).mtimeMs, 1_100_000_000_000);
    assert.equal(statSync(join(root, 'd/sgid')).mode & 0o7777, 0o2711);
    assert.equal(statSync(join(root, 'ro')).mode & 0o7777, 0o400);
    assert.equal(lstatSync(join(root, 'l')).mtimeMs, 1_200_000_000_000);
  });

  it('restores each entry\'s group also where new files take a setgid parent\'s group', { skip: !isRoot && 'needs root' }, async () => {
    const sg = join(base.path, 'setgid-parent');
    mkdirSync(sg);
    chownSync(sg, 0, 4321);
    chmodSync(sg, 0o2775); // what is made below takes group 4321, not our egid
    const dirPath = join(sg, 'layer');
    await extractLayer(streamOf(tar([
      dir('d', { uid: 0, gid: 0 }), file('d/f', 'x', { uid: 0, gid: 0 }), file('g', 'y', { uid: 0, gid: 4321 }),
      file('h', 'z', { uid: 0, gid: 0 }),
      file('d/i', 'w', { uid: 0, gid: 4321 }), // d, given group 0, hands that down
    ]), 1000), dirPath, {});
    const root = join(dirPath, 'diff');
    assert.deepEqual(['d', 'd/f', 'g', 'h', 'd/i'].map((p) => statSync(join(root, p)).gid), [0, 0, 4321, 0, 4321]);
  });

  it('restores each entry\'s group on a file system mounted grpid, where new files take their dir\'s group', { skip: (!isRoot || !existsSync('/sbin/mkfs.ext4')) && 'needs root and mkfs.ext4' }, async () => {
    const img = join(base.path, 'grpid.img');
    const mnt = join(base.path, 'grpid');
    writeFileSync(img, '');
    truncateSync(img, 16 << 20);
    execFileSync('/sbin/mkfs.ext4', ['-q', '-F', img]);
    mkdirSync(mnt);
    execFileSync('mount', ['-o', 'loop,grpid', img, mnt]); // the loop device goes with the unmount
    try {
      const parent = join(mnt, 'store');
      mkdirSync(parent);
      chownSync(parent, 0, 4321); // no setgid bit: the mount option alone hands the group down
      const dirPath = join(parent, 'layer');
      await extractLayer(streamOf(tar([
        dir('d', { uid: 0, gid: 0 }), file('d/f', 'x', { uid: 0, gid: 0 }), file('h', 'z', { uid: 0, gid: 0 }),
        file('d/i', 'w', { uid: 0, gid: 4321 }),
      ]), 1000), dirPath, {});
      const root = join(dirPath, 'diff');
      assert.equal(statSync(root).mode & 0o2000, 0);
      assert.deepEqual(['d', 'd/f', 'h', 'd/i'].map((p) => statSync(join(root, p)).gid), [0, 0, 0, 4321]);
    } finally {
      execFileSync('umount', [mnt]);
    }
  });

  it('restores owners, keeping setuid after chown', { skip: !isRoot && 'needs root' }, async () => {
    const { root } = await extract([
      dir('home', { uid: 1000, gid: 1000 }),
      file('home/bin', 'x', { mode: 0o4755, uid: 1234, gid: 5678 }),
      { m: { path: 'home/l', type: 'symlink', mode: 0o777, linkpath: 'bin', uid: 42, gid: 43 } },
      // Ours already (no lchown), and one whose group alone differs.
      { m: { path: 'home/r', type: 'symlink', mode: 0o777, linkpath: 'bin', uid: 0, gid: 0 } },
      { m: { path: 'home/g', type: 'symlink', mode: 0o777, linkpath: 'bin', uid: 0, gid: 6 } },
    ]);
    const f = statSync(join(root, 'home/bin'));
    assert.deepEqual([f.uid, f.gid, f.mode & 0o7777], [1234, 5678, 0o4755]);
    const d = statSync(join(root, 'home'));
    assert.deepEqual([d.uid, d.gid], [1000, 1000]);
    const l = lstatSync(join(root, 'home/l'));
    assert.deepEqual([l.uid, l.gid], [42, 43]);
    const r = lstatSync(join(root, 'home/r'));
    assert.deepEqual([r.uid, r.gid], [0, 0]);
    const g = lstatSync(join(root, 'home/g'));
    assert.deepEqual([g.uid, g.gid], [0, 6]);
  });

  it('creates device nodes and FIFOs inside the layer only', { skip: !isRoot && 'needs root' }, async () => {
    const { root } = await extract([
      { m: { path: 'dev/null', type: 'char', mode: 0o666, devmajor: 1, devminor: 3 } },
      { m: { path: 'dev/loop9', type: 'block', mode: 0o660, devmajor: 7, devminor: 9, gid: 6 } },
      { m: { path: 'run/fifo', type: 'fifo', mode: 0o620 } },
      symlink('hostdev', `${host}/etc`),
      { m: { path: 'hostdev/devnode', type: 'char', mode: 0o600, devmajor: 1, devminor: 5 } },
    ]);
    const c = lstatSync(join(root, 'dev/null'));
    assert.equal(c.isCharacterDevice(), true);
    assert.equal(c.rdev, (1 << 8) | 3);
    assert.equal(c.mode & 0o7777, 0o666);
    const b = lstatSync(join(root, 'dev/loop9'));
    assert.equal(b.isBlockDevice(), true);
    assert.equal(b.rdev, (7 << 8) | 9);
    assert.equal(b.gid, 6);
    assert.equal(lstatSync(join(root, 'run/fifo')).isFIFO(), true);
    assert.equal(lstatSync(join(root, 'run/fifo')).mode & 0o777, 0o620);
    assert.equal(lstatSync(join(root, host, 'etc/devnode')).isCharacterDevice(), true);
  });

  it('turns .wh.NAME into an overlay whiteout and skips aufs bookkeeping', { skip: !isRoot && 'needs root' }, async () => {
    const { root } = await extract([dir('etc'), file('etc/.wh.gone'), file('.wh..wh.plnk'), dir('.wh..wh.orph'), file('etc/keep', 'k')]);
    const w = lstatSync(join(root, 'etc/gone'));
    assert.equal(w.isCharacterDevice(), true);
    assert.equal(w.rdev, 0);
    assert.equal(existsSync(join(root, 'etc/.wh.gone')), false);
    assert.deepEqual(readdirSync(root).sort(), ['etc']);
  });

  it('writes whiteouts and opaque directories as overlayfs reads them', { skip: (!isRoot || !canSetXattrs()) && 'needs root and lsetxattr (native/libc.ts) or setfattr' }, async () => {
    const lower = await extract([dir('etc'), file('etc/gone', 'old'), file('etc/kept', 'k'), dir('opaque'), file('opaque/old', 'o')]);
    const upper = await extract([dir('etc'), file('etc/.wh.gone'), dir('opaque'), file('opaque/.wh..wh..opq'), file('opaque/new', 'n')]);
    assert.equal(existsSync(join(upper.root, 'opaque/.wh..wh..opq')), false);
    const merged = join(base.path, `merged-${++n}`);
    mkdirSync(merged);
    mount('overlay', merged, 'overlay', MS_RDONLY, `lowerdir=${upper.root}:${lower.root}`);
    try {
      assert.deepEqual(readdirSync(join(merged, 'etc')), ['kept']);
      assert.deepEqual(readdirSync(join(merged, 'opaque')), ['new']);
    } finally {
      umount2(merged, MNT_DETACH);
    }
  });

  it('restores xattrs from pax headers, file capabilities surviving chown and data', { skip: (!isRoot || !existsSync('/usr/bin/getfattr') || !canSetXattrs()) && 'needs root, getfattr and xattrs' }, async () => {
    // cap_net_raw+ep, VFS_CAP_REVISION_2.
    const cap = Buffer.from('0100000200200000000000000000000000000000', 'hex');
    const buf = Buffer.concat([
      paxBlocks([paxRecord('SCHILY.xattr.security.capability', cap), paxRecord('SCHILY.xattr.user.note', 'hello')]),
      forged({ name: 'ping', typeflag: '0', mode: 0o755, uid: 1000, gid: 1000 }, Buffer.from('binary')),
      TAR_END,
    ]);
    const { root } = await extract(buf);
    const dump = execFileSync('getfattr', ['-d', '-m', '-', '-e', 'hex', join(root, 'ping')], { encoding: 'utf8' });
    assert.match(dump, /security\.capability=0x0100000200200000000000000000000000000000/);
    assert.match(dump, /user\.note=0x68656c6c6f/);
    assert.equal(statSync(join(root, 'ping')).uid, 1000);
  });

  it('extracts pax and GNU long names', async () => {
    const longDir = 'p'.repeat(150);
    const longName = `${longDir}/${'f'.repeat(200)}`;
    const buf = Buffer.concat([
      paxBlocks([paxRecord('path', longName)]),
      forged({ name: 'ignored', typeflag: '0' }, Buffer.from('pax')),
      forged({ name: '././@LongLink', typeflag: 'L', magic: 'gnu' }, Buffer.from(`${longDir}/${'g'.repeat(180)}\0`)),
      forged({ name: 'ignored2', typeflag: '0', magic: 'gnu' }, Buffer.from('gnu')),
      TAR_END,
    ]);
    const { root } = await extract(buf);
    assert.equal(readFileSync(join(root, longName), 'utf8'), 'pax');
    assert.equal(readFileSync(join(root, longDir, 'g'.repeat(180)), 'utf8'), 'gnu');
  });

  it('reads what GNU tar writes (gnu and pax formats, long names and link targets)', { skip: !existsSync('/usr/bin/tar') && 'no GNU tar' }, async () => {
    const src = join(base.path, 'gnu-src');
    const deep = join(src, 'd'.repeat(120), 'e'.repeat(120));
    mkdirSync(deep, { recursive: true });
    writeFileSync(join(deep, 'f'.repeat(150)), 'deep');
    execFileSync('ln', ['-s', 't'.repeat(200), join(src, 'longlink')]);
    for (const format of ['gnu', 'pax']) {
      const buf = execFileSync('tar', [`--format=${format}`, '-C', src, '-cf', '-', '.']);
      const { root } = await extract(buf);
      assert.equal(readFileSync(join(root, 'd'.repeat(120), 'e'.repeat(120), 'f'.repeat(150)), 'utf8'), 'deep', format);
      assert.equal(readlinkSync(join(root, 'longlink')), 't'.repeat(200), format);
    }
  });

  it('writes archives GNU tar reads back (long names through pax)', { skip: !existsSync('/usr/bin/tar') && 'no GNU tar' }, async () => {
    const long = `${'a'.repeat(130)}/${'b'.repeat(130)}/c`;
    const out = join(base.path, 'gnu-out');
    mkdirSync(out);
    execFileSync('tar', ['-C', out, '-xf', '-'], { input: tar([file(long, 'ours'), symlink('s', 'x'.repeat(160))]) });
    assert.equal(readFileSync(join(out, long), 'utf8'), 'ours');
    assert.equal(readlinkSync(join(out, 's')), 'x'.repeat(160));
  });

  it('stops a gzip bomb at the size limit', async () => {
    // Many members, each under the limit, so only the running total can stop it.
    const bomb = gzipSync(tar(Array.from({ length: 40 }, (_, i) => file(`zeros-${i}`, Buffer.alloc(512 << 10)))));
    assert.ok(bomb.length < 100_000);
    await assert.rejects(extract(bomb, { maxBytes: 1 << 20 }), says('RESOURCE_EXHAUSTED', /larger than the limit/));
  });

  it('refuses a member claiming more than the limit before reading it', async () => {
    const huge = forged({ name: 'big', typeflag: '0', size: 1 << 20 });
    await assert.rejects(extract(Buffer.concat([huge, Buffer.alloc(4096)]), { maxBytes: 64 << 10 }), says('RESOURCE_EXHAUSTED', /claims 1048576 bytes/));
  });

  it('refuses truncated and corrupt gzip streams', async () => {
    const gz = gzipSync(tar([file('a', 'x'.repeat(10000))]));
    await assert.rejects(extract(gz.subarray(0, gz.length - 30)), says('INVALID_ARGUMENT', /truncated gzip|truncated tar/));
    const bad = Buffer.from(gz);
    bad.fill(0x41, 20, 60);
    await assert.rejects(extract(bad), (err) => err instanceof TdockerError && err.code === 'INVALID_ARGUMENT');
    // With a diff id to check, gzip's CRC is skipped: the digest catches what the CRC would.
    const layer = tar([file('a', randomBytes(20_000))]);
    const stored = gzipSync(layer);
    const expectDiffId = `sha256:${createHash('sha256').update(layer).digest('hex')}`;
    assert.equal((await extract(stored, { expectDiffId })).layer.diffId, expectDiffId);
    const flipped = Buffer.from(stored);
    flipped[5000] = flipped[5000]! ^ 0x55;
    await assert.rejects(extract(flipped, { expectDiffId }), says('INVALID_ARGUMENT', /digest mismatch|corrupt gzip/));
    await assert.rejects(extract(stored.subarray(0, stored.length - 3), { expectDiffId }), says('INVALID_ARGUMENT', /truncated gzip/));
    // Only the trailer's CRC wrong: skipped where the diff id is checked, refused where it is not.
    const badCrc = Buffer.from(stored);
    badCrc.writeUInt32LE((badCrc.readUInt32LE(badCrc.length - 8) ^ 1) >>> 0, badCrc.length - 8);
    assert.equal((await extract(badCrc, { expectDiffId })).layer.diffId, expectDiffId);
    await assert.rejects(extract(badCrc), says('INVALID_ARGUMENT', /corrupt gzip/));
  });

  it('names compressions it cannot read', async () => {
    const zstd = Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), Buffer.alloc(100)]);
    await assert.rejects(extract(zstd), says('INVALID_ARGUMENT', /zstd-compressed archives are not supported/));
  });

  it('checks the digest it was told to expect', async () => {
    await assert.rejects(extract([file('a', 'x')], { expectDiffId: `sha256:${'0'.repeat(64)}` }), says('INVALID_ARGUMENT', /digest mismatch/));
  });

  it('refuses a root entry that is not a directory, and applies a ./ entry to the layer root', async () => {
    await assert.rejects(extract([file('./', 'x')]), says('INVALID_ARGUMENT', /root can only be a directory/));
    const { root } = await extract([dir('./', { mode: 0o750, mtime: 1_300_000_000 })]);
    assert.equal(statSync(root).mode & 0o7777, 0o750);
    assert.equal(statSync(root).mtimeMs, 1_300_000_000_000);
  });

  it('digests plain tars of many batches, one after another, as their bytes (batches are reused between imports)', async () => {
    // ~16 MiB: hashed on a second worker, past what may wait for the workers, so batches are
    // recycled within an import too; ~5 MiB: hashed on this thread from the batches kept.
    for (const [seed, size] of [[1, 7 << 20], [2, 7 << 20], [3, 2 << 20], [4, 7 << 20]] as const) {
      const big = noise(size, seed);
      const buf = tar([file('a', big), file('b', big.subarray(1 << 20)), file('c', big.subarray(0, 3 << 20)), file('d', `last ${seed}`)]);
      // The input yields to the event loop between chunks, as a file or a socket does, so that
      // the workers' acknowledgements arrive while the first batches are still to be hashed.
      const dirPath = join(base.path, `layer-${++n}`);
      const layer = await extractLayer(Readable.from(paced(buf, 256 << 10)), dirPath);
      const root = join(dirPath, 'diff');
      assert.equal(layer.diffId, `sha256:${createHash('sha256').update(buf).digest('hex')}`);
      assert.equal(layer.tarSize, buf.length);
      assert.ok(readFileSync(join(root, 'b')).equals(big.subarray(1 << 20)));
      assert.equal(readFileSync(join(root, 'd'), 'utf8'), `last ${seed}`);
    }
  });

  it('fails a plain tar that breaks after many batches, and extracts the next one', async () => {
    const buf = tar([file('a', noise(20 << 20, 3)), file('b', 'after')]);
    await assert.rejects(extract(buf.subarray(0, 15 << 20)), says('INVALID_ARGUMENT', /truncated tar archive/));
    await assert.rejects(extract(Buffer.concat([buf.subarray(0, 15 << 20), Buffer.alloc(6 << 20, 0x41)])), (err) => err instanceof TdockerError);
    const { root, layer } = await extract(buf);
    assert.equal(layer.diffId, `sha256:${createHash('sha256').update(buf).digest('hex')}`);
    assert.equal(readFileSync(join(root, 'b'), 'utf8'), 'after');
  });

  it('refuses a member below a regular file', async () => {
    await assert.rejects(extract([file('f', 'x'), file('f/g', 'y')]), says('INVALID_ARGUMENT', /'f' is not a directory/));
  });
});
