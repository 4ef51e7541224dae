// Host tokens, subjects, CloudEvent fields and nanosecond times: the names on the bus.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hostFromToken, hostToken } from '../../services/events/host-token.js';
import { eventSubject, filterSubject } from '../../services/events/event-subject.js';
import { eventHost, parseCloudEvent, toCloudEvent } from '../../services/events/cloud-event.js';
import { formatRfc3339Nano, nowNanos, parseRfc3339Nano } from '../../services/events/event-time.js';
import { checkEventInput } from '../../services/events/container-event.js';

const ID = 'ab'.repeat(32);
const TOKEN = /^[^.*>\s]+$/;
const KV_KEY = /^[-/_=.a-zA-Z0-9]+$/;

describe('events: host tokens', () => {
  it('escapes what a subject token or KV key cannot hold, and nothing else', () => {
    assert.equal(hostToken('node-1_a'), 'node-1_a');
    assert.equal(hostToken('node1.example.com'), 'node1=2Eexample=2Ecom');
    assert.equal(hostToken('a*b>c d\te'), 'a=2Ab=3Ec=20d=09e');
    assert.equal(hostToken('x=y'), 'x=3Dy');
    assert.equal(hostToken('hôte'), 'h=C3=B4te');
  });

  it('round-trips and always yields a valid token and KV key', () => {
    for (const h of ['node1', 'node1.example.com', 'a.b.c', 'x=3Dy', 'hôte', 'host with spaces', '>', '*', 'a/b', '..']) {
      const t = hostToken(h);
      assert.match(t, TOKEN);
      assert.match(t, KV_KEY);
      assert.equal(hostFromToken(t), h);
    }
  });

  it('refuses an empty host name', () => {
    assert.throws(() => hostToken(''), { code: 'INVALID_ARGUMENT' });
  });
});

describe('events: subjects', () => {
  it('tdocker.events.<host>.<id>.<action>', () => {
    assert.equal(eventSubject('n1.lan', ID, 'start'), `tdocker.events.n1=2Elan.${ID}.start`);
  });

  it('narrows the consumer filter only where one value is certain to be the token', () => {
    assert.equal(filterSubject({}), 'tdocker.events.>');
    assert.equal(filterSubject({ host: ['n1.lan'] }), 'tdocker.events.n1=2Elan.*.*');
    assert.equal(filterSubject({ container: [ID], event: ['die'] }), `tdocker.events.*.${ID}.die`);
    assert.equal(filterSubject({ container: ['web'] }), 'tdocker.events.>', 'a name is matched by the subscriber');
    assert.equal(filterSubject({ host: ['a', 'b'], event: ['start', 'die'] }), 'tdocker.events.>');
  });

  it('refuses ids and actions that would make a bad subject', () => {
    const base = { id: ID, name: 'n', image: 'i', action: 'start' as const, state: 's' };
    assert.doesNotThrow(() => checkEventInput(base));
    assert.throws(() => checkEventInput({ ...base, id: 'a.b' }), { code: 'INVALID_ARGUMENT' });
    assert.throws(() => checkEventInput({ ...base, id: '' }), { code: 'INVALID_ARGUMENT' });
    assert.throws(() => checkEventInput({ ...base, action: 'explode' as 'start' }), { code: 'INVALID_ARGUMENT' });
  });
});

describe('events: CloudEvents', () => {
  it('fills the required and optional attributes, seq, and data without undefined fields', () => {
    const e = toCloudEvent('n1.lan', { id: ID, name: 'web', image: 'busybox', action: 'die', state: 'exited', exitCode: 137, signal: 9 }, 4, 1714564800123456789n);
    assert.deepEqual(e, {
      specversion: '1.0',
      id: `n1=2Elan.${ID}.4`,
      source: 'tdocker://n1.lan',
      type: 'io.tinydocker.container.die',
      subject: ID,
      time: '2024-05-01T12:00:00.123456789Z',
      datacontenttype: 'application/json',
      seq: 4,
      data: { id: ID, name: 'web', image: 'busybox', action: 'die', state: 'exited', exitCode: 137, signal: 9 },
    });
    assert.deepEqual(parseCloudEvent(JSON.stringify(e)), e);
    assert.equal(eventHost(e), 'n1.lan');
    assert.equal(eventHost(toCloudEvent('host with spaces', { id: ID, name: 'n', image: 'i', action: 'start', state: 's' }, 1, 0n)), 'host with spaces');
  });

  it('parses only our events', () => {
    assert.equal(parseCloudEvent('not json'), undefined);
    assert.equal(parseCloudEvent('{"specversion":"1.0"}'), undefined);
  });
});

describe('events: nanosecond times', () => {
  it('formats nine fraction digits in UTC and parses any RFC 3339 form back', () => {
    assert.equal(formatRfc3339Nano(0n), '1970-01-01T00:00:00.000000000Z');
    assert.equal(formatRfc3339Nano(1714564800000000001n), '2024-05-01T12:00:00.000000001Z');
    assert.equal(parseRfc3339Nano('2024-05-01T12:00:00.000000001Z'), 1714564800000000001n);
    assert.equal(parseRfc3339Nano('2024-05-01T14:00:00.5+02:00'), 1714564800500000000n);
    assert.equal(parseRfc3339Nano('2024-05-01T12:00:00Z'), 1714564800000000000n);
    assert.equal(parseRfc3339Nano('yesterday'), undefined);
  });

  it('is close to the wall clock and never goes backwards', () => {
    const a = nowNanos();
    const b = nowNanos();
    assert.ok(b >= a);
    const diffMs = Number(a / 1_000_000n) - Date.now();
    assert.ok(Math.abs(diffMs) < 50, `within 50 ms of Date.now() (${diffMs})`);
  });
});
