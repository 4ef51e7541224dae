// /proc/self/mountinfo lines as the kernel writes them, escapes and optional fields included.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mountsUnder, parseMountinfo, unescapeMountinfo } from '../../services/rootfs/mountinfo.js';

const FIXTURE = [
  '27 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw,discard',
  '48 27 0:40 / /var/lib/td/containers/abc/rootfs rw,relatime - overlay overlay rw,lowerdir=/l1:/l2,upperdir=/u,workdir=/w',
  '49 48 254:0 /srv/my\\040data /var/lib/td/containers/abc/rootfs/mnt/my\\040dir ro,nosuid,nodev,relatime shared:1 master:2 - ext4 /dev/vda rw',
  '50 48 0:41 / /var/lib/td/containers/abc/rootfs/tab\\011and\\134slash rw,nosuid,nodev,noexec - tmpfs tmpfs rw,size=65536k',
  '51 27 0:42 / /var/lib/td/containers/abcdef/rootfs rw - overlay overlay rw',
  '',
].join('\n');

describe('mountinfo', () => {
  it('unescapes octal escapes', () => {
    assert.equal(unescapeMountinfo('/a\\040b\\011c\\012d\\134e'), '/a b\tc\nd\\e');
  });

  it('parses every field, skipping optional fields', () => {
    const [root, overlay, bind, tmpfs] = parseMountinfo(FIXTURE);
    assert.deepEqual(root, { id: 27, parentId: 1, dev: '254:0', mountPoint: '/', mountOptions: ['rw', 'relatime'], fsType: 'ext4', source: '/dev/vda', superOptions: ['rw', 'discard'] });
    assert.equal(overlay!.fsType, 'overlay');
    assert.equal(bind!.mountPoint, '/var/lib/td/containers/abc/rootfs/mnt/my dir');
    assert.deepEqual(bind!.mountOptions, ['ro', 'nosuid', 'nodev', 'relatime']);
    assert.equal(bind!.fsType, 'ext4');
    assert.equal(tmpfs!.mountPoint, '/var/lib/td/containers/abc/rootfs/tab\tand\\slash');
    assert.deepEqual(tmpfs!.superOptions, ['rw', 'size=65536k']);
  });

  it('finds mounts at or under a folder, not beside it', () => {
    const all = parseMountinfo(FIXTURE);
    assert.deepEqual(mountsUnder('/var/lib/td/containers/abc', all).map((m) => m.id), [48, 49, 50]);
    assert.deepEqual(mountsUnder('/var/lib/td/containers/abc/rootfs', all).map((m) => m.id), [48, 49, 50]);
    assert.deepEqual(mountsUnder('/var/lib/td/containers/abcdef', all).map((m) => m.id), [51]);
    assert.deepEqual(mountsUnder('/nothing', all), []);
    assert.equal(mountsUnder('/', all).length, 5);
  });
});
