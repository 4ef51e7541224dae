// `--filter container=|image=|event=|host=` as docker events reads them, and the seq de-duplication.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { toCloudEvent } from '../../services/events/cloud-event.js';
import { matchesFilters, SeqDedupe } from '../../services/events/event-filter.js';

const ID = 'cd'.repeat(32);
const ev = (over: { host?: string; name?: string; image?: string; action?: 'start' | 'die'; seq?: number } = {}) =>
  toCloudEvent(over.host ?? 'n1.lan', { id: ID, name: over.name ?? 'web', image: over.image ?? 'busybox', action: over.action ?? 'start', state: 's' }, over.seq ?? 1, 0n);

describe('events: filters', () => {
  it('matches everything without filters', () => {
    assert.ok(matchesFilters(ev(), undefined));
    assert.ok(matchesFilters(ev(), {}));
  });

  it('container: name (with or without /), full id or id prefix', () => {
    for (const c of ['web', '/web', ID, ID.slice(0, 12)]) assert.ok(matchesFilters(ev(), { container: [c] }), c);
    assert.ok(!matchesFilters(ev(), { container: ['db'] }));
    assert.ok(matchesFilters(ev(), { container: ['db', 'web'] }), 'values of one key are alternatives');
  });

  it('image: as given, with the implied :latest', () => {
    assert.ok(matchesFilters(ev(), { image: ['busybox'] }));
    assert.ok(matchesFilters(ev(), { image: ['busybox:latest'] }));
    assert.ok(matchesFilters(ev({ image: 'busybox:latest' }), { image: ['busybox'] }));
    assert.ok(!matchesFilters(ev(), { image: ['busybox:1.36'] }));
    assert.ok(!matchesFilters(ev({ image: 'reg:5000/busybox' }), { image: ['busybox'] }));
  });

  it('event and host; different keys must all match', () => {
    assert.ok(matchesFilters(ev({ action: 'die' }), { event: ['die'], host: ['n1.lan'] }));
    assert.ok(matchesFilters(ev(), { host: ['n1=2Elan'] }), 'the token form is accepted too');
    assert.ok(!matchesFilters(ev({ action: 'die' }), { event: ['die'], host: ['n2'] }));
  });

  it('drops an event whose (source, container, seq) was already delivered', () => {
    const d = new SeqDedupe();
    assert.ok(d.fresh(ev({ seq: 1 })));
    assert.ok(d.fresh(ev({ seq: 2 })));
    assert.ok(!d.fresh(ev({ seq: 2 })));
    assert.ok(!d.fresh(ev({ seq: 1 })));
    assert.ok(d.fresh(ev({ seq: 1, host: 'n2' })), 'another host has its own seq');
  });
});
