// `-v` as Docker users type it: host path binds only, clear refusals for everything else.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseVolumeFlag } from '../../services/rootfs/volume-flag.js';
import { TdockerError } from '../../services/errors/tdocker-error.js';

const refused = (spec: string, message: RegExp) =>
  assert.throws(() => parseVolumeFlag(spec), (e: unknown) => e instanceof TdockerError && e.code === 'INVALID_ARGUMENT' && message.test(e.message));

describe('parseVolumeFlag', () => {
  it('reads SRC:DST as a read-write recursive bind, rprivate', () => {
    assert.deepEqual(parseVolumeFlag('/srv/data:/data'), {
      type: 'bind', source: '/srv/data', destination: '/data', readonly: false, recursive: true, propagation: 'rprivate',
    });
  });

  it('reads the mode list: ro, rw, propagation, z/Z', () => {
    assert.equal(parseVolumeFlag('/a:/b:ro').readonly, true);
    assert.equal(parseVolumeFlag('/a:/b:rw').readonly, false);
    assert.deepEqual(
      (({ readonly, propagation }) => ({ readonly, propagation }))(parseVolumeFlag('/a:/b:ro,rslave')),
      { readonly: true, propagation: 'rslave' },
    );
    assert.equal(parseVolumeFlag('/a:/b:Z').readonly, false);
  });

  it('normalizes both paths', () => {
    const v = parseVolumeFlag('/srv//x/../data/:/mnt/./d/');
    assert.equal(v.source, '/srv/data');
    assert.equal(v.destination, '/mnt/d');
  });

  it('refuses a relative source', () => {
    refused('./x:/data', /^invalid volume source '\.\/x': must be an absolute path$/);
    refused('a/b:/data', /^invalid volume source 'a\/b': must be an absolute path$/);
  });

  it('says named volumes are not supported for a bare name', () => {
    refused('mydata:/data', /named volumes are not supported/);
    refused('my_data.v2-1:/data:ro', /named volumes are not supported/);
  });

  it('refuses anonymous volumes', () => {
    refused('/data', /anonymous volumes are not supported/);
    refused('/data:ro', /anonymous volumes are not supported/);
  });

  it('refuses a relative destination and /', () => {
    refused('/a:data', /^invalid volume destination 'data': must be an absolute path$/);
    refused('/a:/', /cannot mount over the container's root/);
    refused('/a:/x/..', /cannot mount over the container's root/);
  });

  it('refuses malformed specs and modes', () => {
    refused('/a:/b:ro:x', /invalid volume specification/);
    refused('/a::/b', /invalid volume specification/);
    refused('', /invalid volume specification/);
    refused('/a:/b:ro,rw', /ro\/rw given twice/);
    refused('/a:/b:rshared,rslave', /propagation given twice/);
    refused('/a:/b:nocopy', /nocopy applies only to named volumes/);
    refused('/a:/b:bogus', /invalid volume mode 'bogus'/);
  });
});
