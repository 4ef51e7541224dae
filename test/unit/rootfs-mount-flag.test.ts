// `--mount` and `--tmpfs` as the Docker CLI reads them, and the sizes they take.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseMountFlag } from '../../services/rootfs/mount-flag.js';
import { parseTmpfsFlag } from '../../services/rootfs/tmpfs-flag.js';
import { parseByteSize } from '../../services/rootfs/byte-size.js';
import { TdockerError } from '../../services/errors/tdocker-error.js';

const refused = (fn: () => unknown, message: RegExp) =>
  assert.throws(fn, (e: unknown) => e instanceof TdockerError && e.code === 'INVALID_ARGUMENT' && message.test(e.message));

describe('parseMountFlag', () => {
  it('reads a bind mount with every spelling of its keys', () => {
    const want = { type: 'bind', source: '/srv', destination: '/data', readonly: true, recursive: true, propagation: 'rprivate' };
    assert.deepEqual(parseMountFlag('type=bind,source=/srv,target=/data,readonly'), want);
    assert.deepEqual(parseMountFlag('type=bind,src=/srv,dst=/data,ro=true'), want);
    assert.deepEqual(parseMountFlag('type=bind,source=/srv,destination=/data,readonly=1'), want);
    assert.equal(parseMountFlag('type=bind,source=/srv,target=/data,readonly=false').readonly, false);
    assert.equal(parseMountFlag('type=bind,source=/srv,target=/data').readonly, false);
  });

  it('reads bind-propagation and bind-nonrecursive', () => {
    const m = parseMountFlag('type=bind,source=/srv,target=/data,bind-propagation=rshared,bind-nonrecursive');
    assert.equal(m.type === 'bind' && m.propagation, 'rshared');
    assert.equal(m.type === 'bind' && m.recursive, false);
  });

  it('reads quoted CSV fields', () => {
    const m = parseMountFlag('type=bind,"source=/srv/a,b",target=/data');
    assert.equal(m.type === 'bind' && m.source, '/srv/a,b');
  });

  it('reads a tmpfs mount with size and mode', () => {
    assert.deepEqual(parseMountFlag('type=tmpfs,target=/run,tmpfs-size=64m,tmpfs-mode=1770'), {
      type: 'tmpfs', destination: '/run', readonly: false, sizeBytes: 64 * 1024 * 1024, mode: 0o1770, exec: false, suid: false, dev: false,
    });
  });

  it('refuses what Docker refuses or this host cannot do', () => {
    refused(() => parseMountFlag('source=/srv,target=/data'), /named volumes are not supported/);
    refused(() => parseMountFlag('type=volume,source=x,target=/data'), /named volumes are not supported/);
    refused(() => parseMountFlag('type=bind,target=/data'), /source is required/);
    refused(() => parseMountFlag('type=bind,source=rel,target=/data'), /invalid mount source 'rel': must be an absolute path/);
    refused(() => parseMountFlag('type=bind,source=/srv'), /target is required/);
    refused(() => parseMountFlag('type=bind,source=/srv,target=/'), /cannot mount over the container's root/);
    refused(() => parseMountFlag('type=bind,source=/srv,target=/d,tmpfs-size=1m'), /unexpected key 'tmpfs-size'/);
    refused(() => parseMountFlag('type=tmpfs,source=/x,target=/d'), /takes no source/);
    refused(() => parseMountFlag('type=tmpfs,target=/d,tmpfs-mode=999'), /not an octal mode/);
    refused(() => parseMountFlag('type=tmpfs,target=/d,tmpfs-size=12q'), /invalid tmpfs-size '12q'/);
    refused(() => parseMountFlag('type=npipe,target=/d'), /type 'npipe' is not supported/);
    refused(() => parseMountFlag('type=bind,source=/a,src=/b,target=/d'), /given twice/);
    refused(() => parseMountFlag('type=bind,source=/a,target=/d,readonly=maybe'), /not a boolean/);
    refused(() => parseMountFlag('type=bind,"source=/a,target=/d'), /unterminated quote/);
  });
});

describe('parseTmpfsFlag', () => {
  it('defaults to noexec, nosuid, nodev, no size', () => {
    assert.deepEqual(parseTmpfsFlag('/run'), { type: 'tmpfs', destination: '/run', readonly: false, exec: false, suid: false, dev: false });
  });

  it('reads size, mode and the mount(8) words', () => {
    assert.deepEqual(parseTmpfsFlag('/run:rw,size=1g,mode=700,exec'), {
      type: 'tmpfs', destination: '/run', readonly: false, exec: true, suid: false, dev: false, sizeBytes: 1024 ** 3, mode: 0o700,
    });
    assert.equal(parseTmpfsFlag('/run:ro').readonly, true);
  });

  it('refuses unknown options and bad destinations', () => {
    refused(() => parseTmpfsFlag('/run:uid=1000'), /unsupported option 'uid=1000'/);
    refused(() => parseTmpfsFlag('run'), /must be an absolute path/);
  });
});

describe('parseByteSize', () => {
  it('reads Docker sizes in powers of 1024', () => {
    assert.equal(parseByteSize('65536', 's'), 65536);
    assert.equal(parseByteSize('64k', 's'), 65536);
    assert.equal(parseByteSize('64KiB', 's'), 65536);
    assert.equal(parseByteSize('1.5g', 's'), 1.5 * 1024 ** 3);
    assert.equal(parseByteSize('2 MB', 's'), 2 * 1024 ** 2);
  });

  it('refuses garbage', () => {
    for (const bad of ['', '12q', '-1', 'm', '1..2m']) refused(() => parseByteSize(bad, 'size'), /expected a size/);
  });
});
