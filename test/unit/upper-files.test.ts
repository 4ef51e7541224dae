import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { upperFilesFit, writeUpperFiles } from '../../services/rootfs/upper-files.js';

const files = [{ path: 'etc/hosts', text: 'h\n' }, { path: 'etc/hostname', text: 'n\n' }];
let dirs: string[] = [];
const tmp = () => { const d = mkdtempSync(join(tmpdir(), 'upper-files-')); dirs.push(d); return d; };
afterEach(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); dirs = []; });

describe('upper files', () => {
  it('fit a missing or fresh upper dir, and are written 0644 under a 0755 dir', () => {
    const upper = join(tmp(), 'upper');
    assert.ok(upperFilesFit(upper, files));
    mkdirSync(upper);
    writeUpperFiles(upper, files);
    assert.equal(readFileSync(join(upper, 'etc/hosts'), 'utf8'), 'h\n');
    assert.equal(statSync(join(upper, 'etc')).mode & 0o7777, 0o755);
    assert.equal(statSync(join(upper, 'etc/hostname')).mode & 0o7777, 0o644);
    // Written again over the files an earlier run left.
    writeUpperFiles(upper, [{ path: 'etc/hosts', text: 'again\n' }]);
    assert.equal(readFileSync(join(upper, 'etc/hosts'), 'utf8'), 'again\n');
  });

  it('do not fit where a parent or a file is something else', () => {
    const base = tmp();
    const linkedEtc = join(base, 'a');
    mkdirSync(linkedEtc);
    symlinkSync(base, join(linkedEtc, 'etc'));
    assert.equal(upperFilesFit(linkedEtc, files), false, 'etc is a symlink');
    const dirHosts = join(base, 'b');
    mkdirSync(join(dirHosts, 'etc/hosts'), { recursive: true });
    assert.equal(upperFilesFit(dirHosts, files), false, 'hosts is a dir');
  });

  it('refuse a symlink that appeared after the check, and follow nothing', () => {
    const base = tmp();
    const upper = join(base, 'upper');
    mkdirSync(join(upper, 'etc'), { recursive: true });
    assert.ok(upperFilesFit(upper, files));
    const outside = join(base, 'outside');
    writeFileSync(outside, 'untouched');
    symlinkSync(outside, join(upper, 'etc/hosts'));
    assert.throws(() => writeUpperFiles(upper, files), { code: 'ELOOP' });
    assert.equal(readFileSync(outside, 'utf8'), 'untouched');
  });
});
