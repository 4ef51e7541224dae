// Container paths resolved under the root the way the container will see them: symlinks are
// followed relative to the root, never out of it. Plain files in a temporary folder; no root.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveInRoot } from '../../services/rootfs/resolve-in-root.js';
import { TdockerError } from '../../services/errors/tdocker-error.js';

describe('resolveInRoot', () => {
  let root: string;
  before(() => {
    root = realpathSync(mkdtempSync(join(tmpdir(), 'tdt-resolve-')));
    mkdirSync(join(root, 'etc'));
    mkdirSync(join(root, 'usr/lib'), { recursive: true });
    writeFileSync(join(root, 'etc/passwd'), '');
    symlinkSync('/etc', join(root, 'evil'));
    symlinkSync('../../../../../../etc', join(root, 'climb'));
    symlinkSync('usr/lib', join(root, 'lib'));
    symlinkSync('../etc', join(root, 'usr/up'));
    symlinkSync('/evil/../usr', join(root, 'chain'));
    symlinkSync('loop2', join(root, 'loop1'));
    symlinkSync('loop1', join(root, 'loop2'));
    symlinkSync('/', join(root, 'slash'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('keeps plain and missing paths as they are', () => {
    assert.equal(resolveInRoot(root, '/etc/passwd'), `${root}/etc/passwd`);
    assert.equal(resolveInRoot(root, '/no/such/dir'), `${root}/no/such/dir`);
    assert.equal(resolveInRoot(root, 'etc//./x/'), `${root}/etc/x`);
  });

  it('follows an absolute symlink relative to the root, not the host', () => {
    assert.equal(resolveInRoot(root, '/evil/y'), `${root}/etc/y`);
  });

  it('never climbs above the root with ..', () => {
    assert.equal(resolveInRoot(root, '/../../../etc/y'), `${root}/etc/y`);
    assert.equal(resolveInRoot(root, '/climb/y'), `${root}/etc/y`);
    assert.equal(resolveInRoot(root, '/usr/../../x'), `${root}/x`);
  });

  it('follows relative symlinks and chains', () => {
    assert.equal(resolveInRoot(root, '/lib/x'), `${root}/usr/lib/x`);
    assert.equal(resolveInRoot(root, '/usr/up/y'), `${root}/etc/y`);
    assert.equal(resolveInRoot(root, '/chain/lib'), `${root}/usr/lib`);
  });

  it('follows symlinks met after a missing component and ..', () => {
    assert.equal(resolveInRoot(root, '/missing/../evil/y'), `${root}/etc/y`);
  });

  it('resolves a link to / onto the root itself', () => {
    assert.equal(resolveInRoot(root, '/slash'), root);
    assert.equal(resolveInRoot(root, '/'), root);
    assert.equal(resolveInRoot(root, '/slash/etc'), `${root}/etc`);
  });

  it('refuses symlink loops', () => {
    assert.throws(() => resolveInRoot(root, '/loop1/x'), (e: unknown) => e instanceof TdockerError && /too many levels of symbolic links/.test(e.message));
  });
});
