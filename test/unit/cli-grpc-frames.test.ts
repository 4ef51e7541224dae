// gRPC's message framing and status headers as the CLI's HTTP/2 call reads them: messages cut
// anywhere across chunks, several in one chunk, compressed or oversized ones refused, and the
// status from trailers or from the headers of a trailers-only response.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FrameError, frameMessage, MessageReader } from '../../services/cli/client/grpc-frames.js';
import { refusalOfResponse, statusOfHeaders } from '../../services/cli/client/grpc-status.js';
import { daemonError } from '../../services/cli/client/daemon-error.js';
import { GrpcCallError } from '../../services/cli/client/grpc-status.js';

const all = (reader: MessageReader) => {
  const out: string[] = [];
  for (let m = reader.next(); m !== undefined; m = reader.next()) out.push(m.toString());
  return out;
};

describe('gRPC message framing', () => {
  it('frames a message with a zero flag and its big-endian length', () => {
    assert.deepEqual([...frameMessage(Buffer.from('abc'))], [0, 0, 0, 0, 3, 97, 98, 99]);
    assert.deepEqual([...frameMessage(new Uint8Array(0))], [0, 0, 0, 0, 0]);
  });

  it('reads messages cut at every byte boundary', () => {
    const wire = Buffer.concat([frameMessage(Buffer.from('hello')), frameMessage(Buffer.alloc(0)), frameMessage(Buffer.from('world!'))]);
    for (let cut = 0; cut <= wire.length; cut++) {
      const reader = new MessageReader();
      reader.push(wire.subarray(0, cut));
      const got = all(reader);
      reader.push(wire.subarray(cut));
      got.push(...all(reader));
      assert.deepEqual(got, ['hello', '', 'world!'], `cut at ${cut}`);
      assert.equal(reader.pending, 0);
    }
  });

  it('reads a message given one byte at a time, and holds a partial one', () => {
    const wire = frameMessage(Buffer.from('one byte at a time'));
    const reader = new MessageReader();
    const got: string[] = [];
    for (const b of wire.subarray(0, -1)) {
      reader.push(Buffer.from([b]));
      got.push(...all(reader));
    }
    assert.deepEqual(got, []);
    assert.equal(reader.pending, wire.length - 1);
    reader.push(wire.subarray(-1));
    assert.deepEqual(all(reader), ['one byte at a time']);
  });

  it('refuses compressed and oversized messages', () => {
    const compressed = new MessageReader();
    compressed.push(Buffer.from([1, 0, 0, 0, 1, 0]));
    assert.throws(() => compressed.next(), FrameError);
    const big = new MessageReader(10);
    big.push(Buffer.from([0, 0, 0, 0, 11]));
    assert.throws(() => big.next(), /over the limit/);
  });
});

describe('gRPC status headers', () => {
  it('reads the status, the percent-encoded message and the metadata of trailers', () => {
    const s = statusOfHeaders({ 'grpc-status': '9', 'grpc-message': 'exec: %22nosuch%22: not found %25', 'tdocker-exit-code': '127' });
    assert.equal(s?.code, 9);
    assert.equal(s?.details, 'exec: "nosuch": not found %');
    assert.deepEqual(s?.metadata.get('tdocker-exit-code'), ['127']);
    assert.deepEqual(s?.metadata.get('absent'), []);
  });

  it('finds no status in headers without one, and an OK with no message', () => {
    assert.equal(statusOfHeaders({ ':status': 200, 'content-type': 'application/grpc' }), undefined);
    assert.deepEqual({ ...statusOfHeaders({ 'grpc-status': '0' }), metadata: undefined }, { code: 0, details: '', metadata: undefined });
  });

  it('turns a trailers-only failure into the CLI\'s line and the daemon\'s exit code', () => {
    const s = statusOfHeaders({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '9', 'grpc-message': 'cannot run', 'tdocker-exit-code': '126' })!;
    const e = daemonError(new GrpcCallError(s), 'run', 'unix:///x.sock');
    assert.equal(e.line, 'tdocker: run: cannot run');
    assert.equal(e.exitCode, 126);
  });

  it('refuses responses that are not gRPC', () => {
    assert.equal(refusalOfResponse({ ':status': 200, 'content-type': 'application/grpc+proto' }), undefined);
    assert.equal(refusalOfResponse({ ':status': 404, 'content-type': 'text/plain' })?.code, 12);
    assert.equal(refusalOfResponse({ ':status': 503 })?.code, 14);
    assert.equal(refusalOfResponse({ ':status': 200, 'content-type': 'text/html' })?.code, 2);
  });

  it('words a refused connection so that the CLI says it cannot connect', () => {
    const e = daemonError(new GrpcCallError({ code: 14, details: 'No connection established. Last error: connect ENOENT /nope.sock', metadata: { get: () => [] } }), 'run', 'unix:///nope.sock');
    assert.match(e.line, /cannot connect to the daemon at unix:\/\/\/nope.sock: is tdockerd running/);
    assert.equal(e.exitCode, 125);
  });
});
