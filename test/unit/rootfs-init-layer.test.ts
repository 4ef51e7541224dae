// The shared init layer: used only where it changes nothing a container could tell.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureInitLayer, initLayerFits } from '../../services/rootfs/init-layer.js';

const FILES = ['etc/hosts', 'etc/hostname', 'etc/resolv.conf'];

describe('rootfs init layer', () => {
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'init-layer-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const layer = (name: string, build: (root: string) => void) => {
    const root = join(dir, name);
    mkdirSync(root, { recursive: true });
    build(root);
    return root;
  };

  it('fits an image whose /etc is a plain folder with files or none of them', () => {
    const plain = layer('plain', (r) => { mkdirSync(join(r, 'etc')); chmodSync(join(r, 'etc'), 0o755); writeFileSync(join(r, 'etc/hosts'), 'x'); });
    const empty = layer('empty', () => {});
    assert.equal(initLayerFits([plain], FILES), true);
    assert.equal(initLayerFits([empty], FILES), true);
    assert.equal(initLayerFits([empty, plain], FILES), true);
  });

  it('does not fit a symlink, a folder in a file place, or an /etc with other attributes', () => {
    const link = layer('link', (r) => { mkdirSync(join(r, 'etc')); chmodSync(join(r, 'etc'), 0o755); symlinkSync('../run/resolv.conf', join(r, 'etc/resolv.conf')); });
    const folder = layer('folder', (r) => { mkdirSync(join(r, 'etc/hosts'), { recursive: true }); chmodSync(join(r, 'etc'), 0o755); });
    const mode = layer('mode', (r) => { mkdirSync(join(r, 'etc')); chmodSync(join(r, 'etc'), 0o750); });
    const etcLink = layer('etc-link', (r) => symlinkSync('private/etc', join(r, 'etc')));
    for (const l of [link, folder, mode, etcLink]) assert.equal(initLayerFits([l], FILES), false, l);
    // The top layer that has the path decides.
    const plainTop = layer('plain-top', (r) => { mkdirSync(join(r, 'etc')); chmodSync(join(r, 'etc'), 0o755); writeFileSync(join(r, 'etc/resolv.conf'), ''); });
    assert.equal(initLayerFits([plainTop, link], FILES), true);
    assert.equal(initLayerFits([link, plainTop], FILES), false);
  });

  it('makes the layer once, with empty files and nothing else', () => {
    const at = join(dir, 'made');
    assert.equal(ensureInitLayer(at, FILES), at);
    assert.deepEqual(readdirSync(at), ['etc']);
    assert.deepEqual(readdirSync(join(at, 'etc')).sort(), ['hostname', 'hosts', 'resolv.conf']);
    assert.equal(statSync(join(at, 'etc/hosts')).size, 0);
    assert.equal(statSync(join(at, 'etc')).mode & 0o7777, 0o755);
    const ino = statSync(join(at, 'etc/hosts')).ino;
    ensureInitLayer(at, FILES);
    assert.equal(statSync(join(at, 'etc/hosts')).ino, ino, 'an existing layer is kept');
    assert.deepEqual(readdirSync(dir).filter((n) => n.includes('.tmp-')), []);
  });
});
