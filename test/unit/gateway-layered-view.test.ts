// Export without mounting: the overlay read by hand (upper over the image's layers) gives what
// overlayfs shows: the top entry wins, whiteouts hide, opaque directories hide what is below.
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { overlayTar } from '../../services/gateway/layered-view.js';
import { canSetXattrs, hostSpecialFiles } from '../../services/images/special-files.js';
import { parse, tempDir, isRoot } from './images-fixtures.js';

describe('overlayTar', { skip: (!isRoot || !canSetXattrs()) && 'needs root and trusted xattrs (whiteouts are devices, opaque dirs an xattr)' }, () => {
  it('merges the layers as overlayfs would', async () => {
    const tmp = tempDir('tdocker-export-');
    try {
      const special = hostSpecialFiles();
      const [upper, top, bottom] = ['upper', 'top', 'bottom'].map((n) => join(tmp.path, n)) as [string, string, string];
      for (const d of [upper, top, bottom]) mkdirSync(d);
      // bottom: etc/{a,b}, opt/old, bin -> usr/bin
      mkdirSync(join(bottom, 'etc'));
      writeFileSync(join(bottom, 'etc/a'), 'a0');
      writeFileSync(join(bottom, 'etc/b'), 'b0');
      mkdirSync(join(bottom, 'opt'));
      writeFileSync(join(bottom, 'opt/old'), 'old');
      symlinkSync('usr/bin', join(bottom, 'bin'));
      // top: etc/a changed, opt opaque with opt/new
      mkdirSync(join(top, 'etc'));
      writeFileSync(join(top, 'etc/a'), 'a1');
      mkdirSync(join(top, 'opt'));
      writeFileSync(join(top, 'opt/new'), 'new');
      special.setXattr(join(top, 'opt'), 'trusted.overlay.opaque', Buffer.from('y'));
      // upper: etc/b deleted, bin replaced by a directory, hello added
      mkdirSync(join(upper, 'etc'));
      special.mknod(join(upper, 'etc/b'), 'char', 0, 0, 0);
      mkdirSync(join(upper, 'bin'));
      writeFileSync(join(upper, 'bin/x'), 'x');
      writeFileSync(join(upper, 'hello'), 'hi');

      const chunks: Buffer[] = [];
      for await (const c of overlayTar([upper, top, bottom, join(tmp.path, 'missing')], special)) chunks.push(c);
      const { entries } = parse(Buffer.concat(chunks));
      const files = Object.fromEntries(entries.map((m) => [m.path.replace(/\/$/, ''), m.type === 'file' ? m.data : m.type]));
      assert.deepEqual(files, {
        bin: 'dir', 'bin/x': 'x', etc: 'dir', 'etc/a': 'a1', hello: 'hi', opt: 'dir', 'opt/new': 'new',
      });
    } finally {
      tmp.remove();
    }
  });
});
