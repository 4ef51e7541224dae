import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  RESTART_BACKOFF,
  RestartPolicyError,
  formatRestartPolicy,
  nextRestartDelay,
  parseRestartPolicy,
  runDurationMs,
  shouldRestart,
  startsWithDaemon,
} from '../../machines/restart-policy.js';

describe('parseRestartPolicy', () => {
  it('reads the four policies Docker has', () => {
    assert.deepEqual(parseRestartPolicy('no'), { name: 'no' });
    assert.deepEqual(parseRestartPolicy('always'), { name: 'always' });
    assert.deepEqual(parseRestartPolicy('unless-stopped'), { name: 'unless-stopped' });
    assert.deepEqual(parseRestartPolicy('on-failure'), { name: 'on-failure' });
    assert.deepEqual(parseRestartPolicy('on-failure:3'), { name: 'on-failure', maxRetries: 3 });
  });

  it('takes an empty value as no, and on-failure:0 as no limit, as Docker does', () => {
    assert.deepEqual(parseRestartPolicy(''), { name: 'no' });
    assert.deepEqual(parseRestartPolicy('on-failure:0'), { name: 'on-failure' });
  });

  it('refuses bad input with a message that says what is expected', () => {
    const bad: Array<[string, RegExp]> = [
      ['sometimes', /invalid restart policy "sometimes": expected no, on-failure\[:max-retries\], always or unless-stopped/],
      ['On-Failure', /expected no, on-failure/],
      ['always:3', /max-retries only goes with on-failure/],
      ['no:1', /max-retries only goes with on-failure/],
      ['on-failure:', /max-retries must be a whole number of 0 or more, not ""/],
      ['on-failure:-1', /not "-1"/],
      ['on-failure:2.5', /not "2.5"/],
      ['on-failure:x', /not "x"/],
      ['on-failure:99999999999999999999', /whole number/],
    ];
    for (const [text, message] of bad) {
      assert.throws(() => parseRestartPolicy(text), (err: unknown) => {
        assert.ok(err instanceof RestartPolicyError, text);
        assert.equal(err.name, 'RestartPolicyError');
        assert.match(err.message, message);
        return true;
      });
    }
  });

  it('formats back to what it parsed', () => {
    for (const text of ['no', 'always', 'unless-stopped', 'on-failure', 'on-failure:5']) {
      assert.equal(formatRestartPolicy(parseRestartPolicy(text)), text);
    }
  });
});

describe('shouldRestart', () => {
  const exit = (exitCode: number, restartCount = 0, manuallyStopped = false) => ({ exitCode, restartCount, manuallyStopped });

  it('never for no', () => {
    assert.equal(shouldRestart({ name: 'no' }, exit(1)), false);
  });

  it('on-failure: only a non-zero exit, and only below maxRetries', () => {
    assert.equal(shouldRestart({ name: 'on-failure' }, exit(0)), false);
    assert.equal(shouldRestart({ name: 'on-failure' }, exit(1, 1000)), true);
    assert.equal(shouldRestart({ name: 'on-failure', maxRetries: 2 }, exit(1, 1)), true);
    assert.equal(shouldRestart({ name: 'on-failure', maxRetries: 2 }, exit(1, 2)), false);
  });

  it('always and unless-stopped: any exit, unless the user stopped the container', () => {
    for (const name of ['always', 'unless-stopped'] as const) {
      assert.equal(shouldRestart({ name }, exit(0)), true);
      assert.equal(shouldRestart({ name }, exit(137)), true);
      assert.equal(shouldRestart({ name }, exit(137, 0, true)), false);
    }
    assert.equal(shouldRestart({ name: 'on-failure' }, exit(137, 0, true)), false);
  });

  it('a returning daemon starts always even when stopped by the user, unless-stopped only when not', () => {
    assert.equal(startsWithDaemon({ name: 'always' }, exit(0, 0, true)), true);
    assert.equal(startsWithDaemon({ name: 'unless-stopped' }, exit(0, 0, true)), false);
    assert.equal(startsWithDaemon({ name: 'unless-stopped' }, exit(0)), true);
    assert.equal(startsWithDaemon({ name: 'on-failure' }, exit(1)), true);
    assert.equal(startsWithDaemon({ name: 'on-failure' }, exit(0)), false);
    assert.equal(startsWithDaemon({ name: 'no' }, exit(1)), false);
  });
});

describe('restart backoff', () => {
  it('starts at 100 ms and doubles', () => {
    const delays: number[] = [];
    let d = 0;
    for (let i = 0; i < 5; i++) delays.push((d = nextRestartDelay(d, 50)));
    assert.deepEqual(delays, [100, 200, 400, 800, 1600]);
  });

  it('is capped at one minute', () => {
    let d = 0;
    for (let i = 0; i < 20; i++) d = nextRestartDelay(d, 50);
    assert.equal(d, RESTART_BACKOFF.maxMs);
    assert.equal(nextRestartDelay(51_200, 0), 60_000);
  });

  it('goes back to 100 ms after a run of 10 s or more; an unknown run counts as short', () => {
    assert.equal(nextRestartDelay(3200, 9_999), 6400);
    assert.equal(nextRestartDelay(3200, 10_000), 100);
    assert.equal(nextRestartDelay(3200, null), 6400);
  });

  it('measures a run from the ISO times the shim reports', () => {
    assert.equal(runDurationMs('2024-05-01T10:00:00.000Z', '2024-05-01T10:00:12.500Z'), 12_500);
    // The shim writes nanoseconds; milliseconds are all a backoff needs.
    assert.equal(runDurationMs('2024-05-01T10:00:00.123456789Z', '2024-05-01T10:00:10.123999999Z'), 10_000);
    assert.equal(runDurationMs(null, '2024-05-01T10:00:00Z'), null);
    assert.equal(runDurationMs('yesterday', '2024-05-01T10:00:00Z'), null);
  });
});
