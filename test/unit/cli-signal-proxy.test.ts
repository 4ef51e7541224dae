// --sig-proxy: the signals the CLI receives go to the container, until the proxy is removed.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { proxiedSignals, proxySignals } from '../../services/cli/io/signal-proxy.js';

describe('signal proxy', () => {
  it('forwards SIGINT and SIGTERM (and the others it lists), and stops when removed', () => {
    const hooks = new EventEmitter();
    const sent: string[] = [];
    const remove = proxySignals((s) => sent.push(s), hooks);
    hooks.emit('SIGINT', 'SIGINT');
    hooks.emit('SIGTERM', 'SIGTERM');
    assert.deepEqual(sent, ['SIGINT', 'SIGTERM']);
    assert.ok(!proxiedSignals.includes('SIGUSR1' as never), 'SIGUSR1 is Node\'s debugger signal');
    assert.ok(!proxiedSignals.includes('SIGWINCH' as never));
    remove();
    for (const s of proxiedSignals) assert.equal(hooks.listenerCount(s), 0, s);
  });
});
