// The container's root filesystem and volumes: writes land in the upper dir, never in the image.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { RunnerRuntime } from '../../services/daemon/runner-runtime.js';
import { mountsUnder } from '../../services/rootfs/mountinfo.js';
import { TestHost, skipReason } from '../helpers/test-host.js';

describe('container storage', { skip: skipReason }, () => {
  let host: TestHost;
  before(async () => { host = await TestHost.create(); });
  after(async () => {
    await host.cleanup();
    assert.deepEqual(host.leftovers(), []);
  });

  it('writes into the upper dir, not the image', async () => {
    const spec = host.spec(['sh', '-c', 'echo hello > /etc/written; rm /bin/vi; cat /etc/written']);
    const r = await host.runToExit(spec);
    assert.equal(r.stdout, 'hello\n');
    assert.equal(readFileSync(join(host.runner.paths(spec.id).dir, 'upper/etc/written'), 'utf8'), 'hello\n');
    assert.equal(existsSync(join(host.image, 'etc/written')), false);
    assert.ok(existsSync(join(host.image, 'bin/vi')) || !existsSync(join(host.image, 'bin/busybox')));
  });

  it('binds volumes read-write and read-only', async () => {
    const rw = join(host.base, 'rw');
    const ro = join(host.base, 'ro');
    mkdirSync(rw);
    mkdirSync(ro);
    writeFileSync(join(ro, 'data'), 'from host\n');
    const r = await host.runToExit(host.spec(['sh', '-c',
      'echo from container > /mnt/rw/out; cat /mnt/ro/data; echo x > /mnt/ro/nope || echo refused'], {
      mounts: [
        { type: 'bind', source: rw, destination: '/mnt/rw', readonly: false, recursive: true, propagation: 'rprivate' },
        { type: 'bind', source: ro, destination: '/mnt/ro', readonly: true, recursive: true, propagation: 'rprivate' },
      ],
    }));
    assert.equal(r.stdout, 'from host\nrefused\n');
    assert.match(r.stderr, /Read-only file system/);
    assert.equal(readFileSync(join(rw, 'out'), 'utf8'), 'from container\n');
    assert.equal(existsSync(join(ro, 'nope')), false);
  });

  it('unmounts at removal a root mounted again after a stop unmounted it (a removal skips only an unmount it knows of)', async () => {
    const rt = new RunnerRuntime(host.runner);
    const spec = host.spec(['true'], { network: { mode: 'none' } });
    const dir = host.runner.paths(spec.id).dir;
    mkdirSync(dir, { recursive: true });
    await rt.mount(spec);
    await rt.unmount(spec.id);
    assert.deepEqual(mountsUnder(dir), []);
    await rt.mount(spec); // a second start
    assert.equal(mountsUnder(dir).length, 1);
    await host.runner.remove(spec.id);
    // The folder went to the trash (named by the id): nothing of it may be mounted there.
    assert.deepEqual(mountsUnder(host.base).filter((m) => m.mountPoint.includes(spec.id)), []);
    assert.equal(existsSync(dir), false);
  });
});
