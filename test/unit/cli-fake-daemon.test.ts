// The CLI process against a fake daemon (an in-process gRPC server on a temporary socket): the
// order of calls of an attached `run` (Create, Attach with its options, then Start), output and
// the container's exit code, and the gateway's `tdocker-exit-code` trailer becoming the exit code.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Metadata, Server, ServerCredentials, status, type ServerDuplexStream, type ServerUnaryCall, type sendUnaryData } from '@grpc/grpc-js';
import { type AttachRequest, ContainersService, type CreateContainerRequest, type IoFrame, type StartContainerRequest } from '../../proto/gen/tinydocker/v1/containers.js';

const main = fileURLToPath(new URL('../../services/cli/main.js', import.meta.url));
const ID = 'c'.repeat(64);

function tdocker(host: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [main, '-H', host, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env['PATH'] ?? '' } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('tdocker against a fake daemon', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tdocker-fake-'));
  const host = `unix://${join(dir, 'fake.sock')}`;
  const server = new Server();
  let calls: string[] = [];
  let command: string[] = [];
  let attachedStream: ServerDuplexStream<AttachRequest, IoFrame> | undefined;

  before(async () => {
    server.addService(ContainersService, {
      create: (call: ServerUnaryCall<CreateContainerRequest, unknown>, done: sendUnaryData<unknown>) => {
        calls.push('create');
        command = call.request.config?.cmd ?? [];
        done(null, { id: ID, warnings: [] });
      },
      attach: (call: ServerDuplexStream<AttachRequest, IoFrame>) => {
        call.once('data', (req: AttachRequest) => {
          if (req.frame?.$case === 'options') calls.push(`attach ${req.frame.options.id.slice(0, 4)} stdout=${req.frame.options.stdout}`);
          attachedStream = call;
        });
        call.on('error', () => {});
      },
      start: (call: ServerUnaryCall<StartContainerRequest, unknown>, done: sendUnaryData<unknown>) => {
        calls.push(`start ${call.request.id.slice(0, 4)}`);
        if (command[0] === 'nosuch') {
          const metadata = new Metadata();
          metadata.set('tdocker-exit-code', '127');
          done({ code: status.FAILED_PRECONDITION, details: 'exec: "nosuch": executable file not found in $PATH', metadata });
          return;
        }
        done(null, {});
        setImmediate(() => {
          attachedStream?.write({ frame: { $case: 'stdout', stdout: Buffer.from('hi\n') } });
          attachedStream?.write({ frame: { $case: 'stderr', stderr: Buffer.from('oops\n') } });
          attachedStream?.write({ frame: { $case: 'exit', exit: { exitCode: 3, signal: 0, oomKilled: false, error: '' } } });
          attachedStream?.end();
        });
      },
      wait: (_call: unknown, done: sendUnaryData<unknown>) => {
        calls.push('wait');
        done(null, { status: { exitCode: 3, signal: 0, oomKilled: false, error: '' } });
      },
      remove: (_call: unknown, done: sendUnaryData<unknown>) => {
        calls.push('remove');
        done(null, {});
      },
    });
    await new Promise<void>((resolve, reject) => server.bindAsync(host, ServerCredentials.createInsecure(), (e) => (e ? reject(e) : resolve())));
  });

  after(() => {
    server.forceShutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates, attaches, then starts, and exits with the container\'s code', async () => {
    calls = [];
    const r = await tdocker(host, ['run', 'busybox', 'x']);
    assert.deepEqual(r, { code: 3, stdout: 'hi\n', stderr: 'oops\n' });
    assert.deepEqual(calls, ['create', 'attach cccc stdout=true', 'start cccc']);
  });

  it('exits with the code of the tdocker-exit-code trailer, with the daemon\'s reason in one line', async () => {
    calls = [];
    const r = await tdocker(host, ['run', '--rm', 'busybox', 'nosuch']);
    assert.equal(r.code, 127);
    assert.equal(r.stderr, 'tdocker: run: exec: "nosuch": executable file not found in $PATH\n');
    assert.equal(r.stdout, '');
    assert.ok(calls.includes('remove'), '--rm removes what could not start');
  });

  it('prints wait\'s code and exits 0, as Docker\'s wait does', async () => {
    assert.deepEqual(await tdocker(host, ['wait', 'x']), { code: 0, stdout: '3\n', stderr: '' });
  });

  it('says UNIMPLEMENTED calls in one line with 125', async () => {
    const r = await tdocker(host, ['ps']);
    assert.equal(r.code, 125);
    assert.match(r.stderr, /^tdocker: ps: [^\n]+\n$/);
  });
});
