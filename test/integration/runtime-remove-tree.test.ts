// The shim spawner deletes a removed container's folder: the whole tree, never through a symlink
// or into a mount left inside it (a bind mount of the same filesystem included).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MNT_DETACH, MS_BIND, mount, umount2 } from '../../native/libc.js';
import { Runtime } from '../../services/runtime/runtime.js';
import { skipReason } from '../helpers/test-host.js';

describe('runtime removeTree', { skip: skipReason }, () => {
  let dir: string;
  let runtime: Runtime;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'remove-tree-'));
    runtime = new Runtime();
  });
  after(() => {
    runtime.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('deletes files, folders and symlinks, not what a symlink points at', async () => {
    const outside = join(dir, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'keep'), 'keep\n');
    const tree = join(dir, 'tree');
    mkdirSync(join(tree, 'upper/a/b'), { recursive: true });
    mkdirSync(join(tree, 'work/work'), { recursive: true, mode: 0 });
    writeFileSync(join(tree, 'upper/a/b/file'), 'x');
    writeFileSync(join(tree, 'config.json'), '{}');
    symlinkSync(outside, join(tree, 'upper/link'));
    await runtime.removeTree(tree);
    assert.equal(existsSync(tree), false);
    assert.equal(readFileSync(join(outside, 'keep'), 'utf8'), 'keep\n');
    await runtime.removeTree(tree); // gone already: fine
  });

  it('refuses to go into a mount left inside, and leaves its files alone', async () => {
    const source = join(dir, 'source');
    mkdirSync(source);
    writeFileSync(join(source, 'precious'), 'p\n');
    const tree = join(dir, 'mounted');
    mkdirSync(join(tree, 'rootfs/data'), { recursive: true });
    mount(source, join(tree, 'rootfs/data'), '', MS_BIND, '');
    try {
      await assert.rejects(runtime.removeTree(tree), (e: Error & { syscall?: string; errno?: number }) => e.syscall === 'remove' && e.errno === 18);
      assert.equal(readFileSync(join(source, 'precious'), 'utf8'), 'p\n');
    } finally {
      umount2(join(tree, 'rootfs/data'), MNT_DETACH);
    }
    await runtime.removeTree(tree);
    assert.equal(existsSync(tree), false);
  });

  it('refuses a relative path', async () => {
    await assert.rejects(runtime.removeTree('relative/path'), (e: Error & { errno?: number }) => e.errno === 22);
  });
});
