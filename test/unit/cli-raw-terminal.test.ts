// The user's terminal comes back as it was on every way out: the normal path, a second restore,
// and process exit (process.exit from an error path, an uncaught exception).
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { RawTerminal, type RawModeTty } from '../../services/cli/io/raw-terminal.js';

class FakeTty implements RawModeTty {
  isTTY = true;
  isRaw = false;
  calls: boolean[] = [];
  setRawMode(mode: boolean) {
    this.calls.push(mode);
    this.isRaw = mode;
    return this;
  }
}

describe('raw terminal', () => {
  it('enters raw mode and restores the mode it found, once', () => {
    const tty = new FakeTty();
    const hooks = new EventEmitter();
    const raw = RawTerminal.enter(tty, hooks)!;
    assert.equal(tty.isRaw, true);
    assert.equal(hooks.listenerCount('exit'), 1);
    raw.restore();
    raw.restore();
    assert.deepEqual(tty.calls, [true, false]);
    assert.equal(raw.restored, true);
    assert.equal(hooks.listenerCount('exit'), 0);
  });

  it('restores on process exit when nothing else did', () => {
    const tty = new FakeTty();
    const hooks = new EventEmitter();
    RawTerminal.enter(tty, hooks);
    hooks.emit('exit');
    assert.equal(tty.isRaw, false);
    assert.equal(hooks.listenerCount('exit'), 0);
  });

  it('leaves a terminal that was already raw raw', () => {
    const tty = new FakeTty();
    tty.isRaw = true;
    RawTerminal.enter(tty, new EventEmitter())!.restore();
    assert.deepEqual(tty.calls, [true, true]);
  });

  it('does nothing for input that is not a terminal', () => {
    const tty = new FakeTty();
    tty.isTTY = false;
    assert.equal(RawTerminal.enter(tty, new EventEmitter()), undefined);
    assert.deepEqual(tty.calls, []);
  });

  it('survives a terminal that is gone when restoring', () => {
    const tty = new FakeTty();
    const raw = RawTerminal.enter(tty, new EventEmitter())!;
    tty.setRawMode = () => {
      throw new Error('EIO');
    };
    assert.doesNotThrow(() => raw.restore());
  });
});
