import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { busyboxApplets, busyboxRootfsTar, DEFAULT_BUSYBOX } from '../../services/images/busybox-rootfs-tar.js';
import { importBusyboxImage } from '../../services/images/busybox-image.js';
import { ImageStore } from '../../services/images/image-store.js';
import { isRoot, tempDir } from './images-fixtures.js';

const skip = !existsSync(DEFAULT_BUSYBOX) && 'needs busybox-static';

describe('busybox starter image', { skip }, () => {
  let tmp: ReturnType<typeof tempDir>;
  before(() => (tmp = tempDir('tdocker-busybox-')));
  after(() => tmp.remove());

  it('imports through the store with busybox, its applets, users and empty system directories', async () => {
    const id = await importBusyboxImage(tmp.path);
    const store = new ImageStore(tmp.path);
    const img = await store.get('busybox');
    assert.equal(img.id, id);
    assert.deepEqual(img.repoTags, ['busybox:latest']);
    assert.deepEqual(img.config.Cmd, ['sh']);
    const [root] = store.layerDirs(img);
    assert.equal(statSync(join(root!, 'bin/busybox')).size, statSync(DEFAULT_BUSYBOX).size);
    assert.equal(statSync(join(root!, 'bin/busybox')).mode & 0o777, 0o755);
    for (const a of ['bin/sh', 'bin/ls', 'usr/bin/env']) assert.equal(readlinkSync(join(root!, a)), '/bin/busybox', a);
    assert.equal(busyboxApplets().length > 100, true);
    assert.match(readFileSync(join(root!, 'etc/passwd'), 'utf8'), /^root:x:0:0:.*\nnobody:x:65534:65534:/);
    assert.match(readFileSync(join(root!, 'etc/group'), 'utf8'), /^root:x:0:/);
    for (const d of ['proc', 'sys', 'dev', 'tmp', 'run', 'etc', 'root']) assert.equal(lstatSync(join(root!, d)).isDirectory(), true, d);
    assert.equal(statSync(join(root!, 'tmp')).mode & 0o7777, 0o1777);
  });

  it('is reproducible: importing again finds the same layer and the same image', async () => {
    const first = await new ImageStore(tmp.path).get('busybox');
    const id = await importBusyboxImage(tmp.path);
    assert.equal(id, first.id);
    assert.equal((await new ImageStore(tmp.path).list()).length, 1);
  });

  it('runs: the shell of the layer works in a chroot', { skip: !isRoot && 'needs root' }, async () => {
    const img = await new ImageStore(tmp.path).get('busybox');
    const [root] = new ImageStore(tmp.path).layerDirs(img);
    assert.equal(execFileSync('chroot', [root!, '/bin/sh', '-c', 'echo hello from $(basename $(readlink /bin/sh))'], { encoding: 'utf8' }), 'hello from busybox\n');
  });

  it('streams as a valid tar that GNU tar lists', { skip: !existsSync('/usr/bin/tar') && 'needs GNU tar' }, async () => {
    const chunks: Buffer[] = [];
    for await (const c of busyboxRootfsTar()) chunks.push(c as Buffer);
    const list = execFileSync('tar', ['-tvf', '-'], { input: Buffer.concat(chunks), encoding: 'utf8' });
    assert.match(list, /\.\/bin\/busybox\n/);
    assert.match(list, /\.\/bin\/sh -> \/bin\/busybox/);
  });
});
