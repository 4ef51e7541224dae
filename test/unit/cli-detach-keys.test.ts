// The detach keys as Docker's escape proxy finds them: held back while they may be the sequence,
// sent after all when it breaks, never sent when it completes; across reads too.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DetachKeyScanner } from '../../services/cli/io/detach-key-scanner.js';
import { parseDetachKeys } from '../../services/cli/values/parse-detach-keys.js';

const CTRL_P = 0x10;
const CTRL_Q = 0x11;
const feed = (s: DetachKeyScanner, ...bytes: number[]) => s.feed(Buffer.from(bytes));

describe('detach keys', () => {
  it('passes ordinary input through untouched, Ctrl-C included', () => {
    const s = new DetachKeyScanner([CTRL_P, CTRL_Q]);
    assert.deepEqual(s.feed(Buffer.from('echo hi\r\x03')), { forward: Buffer.from('echo hi\r\x03'), detached: false });
  });

  it('detaches on Ctrl-P Ctrl-Q in one read, sending what came before and nothing of the keys', () => {
    const s = new DetachKeyScanner([CTRL_P, CTRL_Q]);
    const r = s.feed(Buffer.from([0x61, CTRL_P, CTRL_Q, 0x62]));
    assert.deepEqual(r, { forward: Buffer.from('a'), detached: true });
  });

  it('detaches when the sequence spans two reads, holding Ctrl-P back in between', () => {
    const s = new DetachKeyScanner([CTRL_P, CTRL_Q]);
    assert.deepEqual(feed(s, 0x61, CTRL_P), { forward: Buffer.from('a'), detached: false });
    assert.deepEqual(feed(s, CTRL_Q), { forward: Buffer.alloc(0), detached: true });
  });

  it('sends a held Ctrl-P after all when the next key is not Ctrl-Q, even a read later', () => {
    const s = new DetachKeyScanner([CTRL_P, CTRL_Q]);
    assert.deepEqual(feed(s, CTRL_P), { forward: Buffer.alloc(0), detached: false });
    assert.deepEqual(feed(s, 0x6b), { forward: Buffer.from([CTRL_P, 0x6b]), detached: false });
  });

  it('detaches on Ctrl-P Ctrl-P Ctrl-Q, sending the first Ctrl-P', () => {
    const s = new DetachKeyScanner([CTRL_P, CTRL_Q]);
    assert.deepEqual(feed(s, CTRL_P), { forward: Buffer.alloc(0), detached: false });
    assert.deepEqual(feed(s, CTRL_P), { forward: Buffer.from([CTRL_P]), detached: false });
    assert.deepEqual(feed(s, CTRL_Q), { forward: Buffer.alloc(0), detached: true });
  });

  it('handles longer sequences that break midway and restart (--detach-keys a,b,c)', () => {
    const s = new DetachKeyScanner(parseDetachKeys('a,b,c'));
    assert.deepEqual(s.feed(Buffer.from('xab')), { forward: Buffer.from('x'), detached: false });
    assert.deepEqual(s.feed(Buffer.from('a')), { forward: Buffer.from('ab'), detached: false });
    assert.deepEqual(s.feed(Buffer.from('b')), { forward: Buffer.alloc(0), detached: false });
    assert.deepEqual(s.feed(Buffer.from('c')), { forward: Buffer.alloc(0), detached: true });
  });

  it('gives back what it holds when the input ends mid-sequence', () => {
    const s = new DetachKeyScanner([CTRL_P, CTRL_Q]);
    feed(s, 0x61, CTRL_P);
    assert.deepEqual(s.takeHeld(), Buffer.from([CTRL_P]));
    assert.deepEqual(s.takeHeld(), Buffer.alloc(0));
  });

  it('works with a single detach key and with the keys Docker names (ctrl-x, ctrl-@)', () => {
    const s = new DetachKeyScanner(parseDetachKeys('ctrl-x'));
    assert.deepEqual(feed(s, 0x61, 0x18, 0x62), { forward: Buffer.from('a'), detached: true });
    assert.deepEqual(parseDetachKeys('ctrl-p,ctrl-q'), [CTRL_P, CTRL_Q]);
    assert.deepEqual(parseDetachKeys('ctrl-@'), [0]);
  });
});
