// --change instructions and `images` filters as the gateway applies them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyChanges } from '../../services/gateway/images-changes.js';
import { filterImages } from '../../services/gateway/images-filters.js';
import type { ImageRecord } from '../../services/gateway/image-source.js';

describe('applyChanges', () => {
  it('applies each instruction in order over the base config', () => {
    const c = applyChanges({ Env: ['PATH=/bin', 'A=0'], Cmd: ['sh'] }, [
      'CMD echo hi', 'ENTRYPOINT ["/init", "--"]', 'ENV A=1 B="two words"', 'ENV C 3', 'LABEL k=v', 'EXPOSE 80 53/udp',
      'VOLUME /data', 'USER nobody', 'WORKDIR /srv', 'STOPSIGNAL SIGINT',
    ]);
    assert.deepEqual(c, {
      Env: ['PATH=/bin', 'A=1', 'B=two words', 'C=3'],
      Cmd: ['/bin/sh', '-c', 'echo hi'],
      Entrypoint: ['/init', '--'],
      Labels: { k: 'v' },
      ExposedPorts: { '80/tcp': {}, '53/udp': {} },
      Volumes: { '/data': {} },
      User: 'nobody',
      WorkingDir: '/srv',
      StopSignal: 'SIGINT',
    });
  });

  it('refuses what Docker refuses', () => {
    assert.throws(() => applyChanges({}, ['RUN make']), /RUN is not a valid change command/);
    assert.throws(() => applyChanges({}, ['EXPOSE http']), /invalid port/);
    assert.throws(() => applyChanges({}, ['ENV']), /ENV needs KEY=VALUE/);
  });
});

describe('filterImages', () => {
  const img = (id: string, repoTags: string[], created: string, labels: Record<string, string> = {}): ImageRecord =>
    ({ id, repoTags, created, size: 0, layers: [], config: { Labels: labels } });
  const all = [
    img('sha256:a', ['busybox:latest', 'busybox:1'], '2026-01-01T00:00:00Z'),
    img('sha256:b', ['team/app:1'], '2026-01-02T00:00:00Z', { tier: 'db' }),
    img('sha256:c', [], '2026-01-03T00:00:00Z'),
  ];
  const get = async (ref: string) => all.find((i) => i.id === ref || i.repoTags.includes(ref))!;
  const ids = async (filters: { key: string; value: string }[]) => (await filterImages(all, filters, get)).map((i) => `${i.id}=${i.repoTags.join(',')}`);

  it('filters by reference, label, dangling, before and since', async () => {
    assert.deepEqual(await ids([{ key: 'reference', value: 'busybox' }]), ['sha256:a=busybox:latest,busybox:1']);
    assert.deepEqual(await ids([{ key: 'reference', value: 'busybox:1' }]), ['sha256:a=busybox:1']);
    assert.deepEqual(await ids([{ key: 'reference', value: 'team/*' }]), ['sha256:b=team/app:1']);
    assert.deepEqual(await ids([{ key: 'label', value: 'tier=db' }]), ['sha256:b=team/app:1']);
    assert.deepEqual(await ids([{ key: 'label', value: 'tier' }]), ['sha256:b=team/app:1']);
    assert.deepEqual(await ids([{ key: 'dangling', value: 'true' }]), ['sha256:c=']);
    assert.deepEqual(await ids([{ key: 'before', value: 'team/app:1' }]), ['sha256:a=busybox:latest,busybox:1']);
    assert.deepEqual(await ids([{ key: 'since', value: 'team/app:1' }]), ['sha256:c=']);
    await assert.rejects(ids([{ key: 'color', value: 'red' }]), /invalid filter 'color'/);
  });
});
