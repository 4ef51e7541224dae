// How a failed call becomes the CLI's one line and exit code: 125 unless the gateway's
// `tdocker-exit-code` trailer says 126 or 127; a daemon that cannot be reached gets the hint.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CliError } from '../../services/cli/cli-error.js';
import { type CallFailure, daemonError, exitCodeOf, exitCodeTrailer, isConnectFailure } from '../../services/cli/client/daemon-error.js';

const host = 'unix:///run/tinydocker/tdockerd.sock';

function failure(code: number, details: string, trailer: Record<string, string> = {}): Error & CallFailure {
  return Object.assign(new Error(details), {
    code,
    details,
    metadata: { get: (key: string) => (trailer[key] === undefined ? [] : [trailer[key]!]) },
  });
}

describe('daemon errors', () => {
  it('uses the tdocker-exit-code trailer, else 125', () => {
    assert.equal(exitCodeTrailer, 'tdocker-exit-code');
    assert.equal(exitCodeOf(failure(9, 'x', { 'tdocker-exit-code': '127' })), 127);
    assert.equal(exitCodeOf(failure(9, 'x', { 'tdocker-exit-code': '126' })), 126);
    assert.equal(exitCodeOf(failure(5, 'no such container: x')), 125);
    assert.equal(exitCodeOf(failure(9, 'x', { 'tdocker-exit-code': 'nope' })), 125);
    assert.equal(exitCodeOf(failure(9, 'x', { 'tdocker-exit-code': '0' })), 125);
    assert.equal(exitCodeOf(failure(9, 'x', { 'tdocker-exit-code': '300' })), 125);
  });

  it('prints the daemon\'s reason after what was being done', () => {
    const e = daemonError(failure(5, 'no such container: web'), 'rm web', host);
    assert.equal(e.line, 'tdocker: rm web: no such container: web');
    assert.equal(e.exitCode, 125);
    const run = daemonError(failure(9, 'exec: "nope": executable file not found in $PATH', { 'tdocker-exit-code': '127' }), 'run', host);
    assert.equal(run.line, 'tdocker: run: exec: "nope": executable file not found in $PATH');
    assert.equal(run.exitCode, 127);
    assert.equal(daemonError(failure(13, ''), 'ps', host).line, 'tdocker: ps: internal');
  });

  it('tells a daemon that is not there from a daemon that answers UNAVAILABLE', () => {
    const refused = failure(14, 'No connection established. Last error: Error: connect ECONNREFUSED /x.sock. Resolution note: ');
    const missing = failure(14, 'No connection established. Last error: Error: connect ENOENT /x.sock. Resolution note: ');
    assert.ok(isConnectFailure(refused));
    assert.ok(isConnectFailure(missing));
    assert.ok(!isConnectFailure(failure(14, 'the event bus is not connected')));
    const line = 'tdocker: cannot connect to the daemon at unix:///run/tinydocker/tdockerd.sock: is tdockerd running? (start it with: tdockerd)';
    assert.equal(daemonError(missing, 'ps', host).line, line);
    assert.equal(daemonError(missing, 'ps', host).exitCode, 125);
    const denied = failure(14, 'No connection established. Last error: Error: connect EACCES /x.sock. Resolution note: ');
    assert.match(daemonError(denied, 'ps', host).line, /^tdocker: cannot connect to the daemon at unix:\/\/\/run\/tinydocker\/tdockerd\.sock: permission denied/);
    assert.equal(daemonError(failure(14, 'the event bus is not connected'), 'ps', host).line, 'tdocker: ps: the event bus is not connected');
    assert.equal(daemonError(failure(14, 'Connection dropped'), 'run', host).line,
      'tdocker: run: lost the connection to the daemon at unix:///run/tinydocker/tdockerd.sock (Connection dropped)');
  });

  it('says why a tcp:// daemon refused the connection, with and without TLS', () => {
    const tcp = 'tcp://127.0.0.1:2376';
    const refusedHandshake = failure(14, 'No connection established. Last error: Failed to connect (2026-01-01T00:00:00.000Z). Resolution note: ');
    assert.equal(daemonError(refusedHandshake, 'ps', tcp, true).line,
      'tdocker: cannot connect to the daemon at tcp://127.0.0.1:2376: the daemon refused the connection: it does not accept this client certificate (--tlscert, --tlskey), or it listens without TLS (--insecure)');
    assert.equal(daemonError(refusedHandshake, 'ps', tcp, false).line,
      'tdocker: cannot connect to the daemon at tcp://127.0.0.1:2376: the daemon refused a connection without TLS: it requires mutual TLS (--tlscacert, --tlscert, --tlskey)');
    const untrusted = failure(14, 'No connection established. Last error: Error: self-signed certificate in certificate chain. Resolution note: ');
    assert.equal(daemonError(untrusted, 'ps', tcp, true).line,
      'tdocker: cannot connect to the daemon at tcp://127.0.0.1:2376: TLS handshake failed: self-signed certificate in certificate chain');
    const closed = failure(14, 'No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:2376. Resolution note: ');
    assert.equal(daemonError(closed, 'ps', tcp, true).line,
      'tdocker: cannot connect to the daemon at tcp://127.0.0.1:2376: is tdockerd running? (start it with: tdockerd)');
  });

  it('keeps a CliError as it is and words any other failure as one line', () => {
    const own = new CliError('run', 'the input device is not a TTY');
    assert.equal(daemonError(own, 'x', host), own);
    assert.equal(daemonError(new Error('boom'), 'ps', host).line, 'tdocker: ps: boom');
  });
});
