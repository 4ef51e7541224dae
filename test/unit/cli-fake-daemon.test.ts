// The CLI process against a fake daemon (an in-process gRPC server on a temporary socket): an
// attached `run` is one Attach call (create, start and --rm's wait for the removal in its
// options), output and the container's exit code, and the gateway's `tdocker-exit-code` trailer
// becoming the exit code.
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

  before(async () => {
    server.addService(ContainersService, {
      create: (_call: ServerUnaryCall<CreateContainerRequest, unknown>, done: sendUnaryData<unknown>) => {
        calls.push('create');
        done(null, { id: ID, warnings: [] });
      },
      attach: (call: ServerDuplexStream<AttachRequest, IoFrame>) => {
        call.once('data', (req: AttachRequest) => {
          if (req.frame?.$case !== 'options') return;
          const o = req.frame.options;
          calls.push(`attach create=${o.create?.config?.cmd.join(' ') ?? '-'} start=${o.start} waitRemoved=${o.waitRemoved} stdout=${o.stdout}`);
          command = o.create?.config?.cmd ?? [];
          if (command[0] === 'nosuch') {
            // What the gateway sends when the start fails: the status, with Docker's exit code.
            const metadata = new Metadata();
            metadata.set('tdocker-exit-code', '127');
            call.emit('error', { code: status.FAILED_PRECONDITION, details: 'exec: "nosuch": executable file not found in $PATH', metadata });
            return;
          }
          call.write({ frame: { $case: 'created', created: { id: ID, warnings: ['a warning'] } } });
          call.write({ frame: { $case: 'stdout', stdout: Buffer.from('hi\n') } });
          call.write({ frame: { $case: 'stderr', stderr: Buffer.from('oops\n') } });
          call.write({ frame: { $case: 'exit', exit: { exitCode: 3, signal: 0, oomKilled: false, error: '' } } });
          call.end();
        });
        call.on('error', () => {});
      },
      start: (call: ServerUnaryCall<StartContainerRequest, unknown>, done: sendUnaryData<unknown>) => {
        calls.push(`start ${call.request.id.slice(0, 4)}`);
        done(null, {});
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

  it('creates, attaches and starts in one call, and exits with the container\'s code', async () => {
    calls = [];
    const r = await tdocker(host, ['run', 'busybox', 'x']);
    assert.deepEqual(r, { code: 3, stdout: 'hi\n', stderr: 'WARNING: a warning\noops\n' });
    assert.deepEqual(calls, ['attach create=x start=true waitRemoved=false stdout=true']);
    calls = [];
    assert.equal((await tdocker(host, ['run', '--rm', 'busybox', 'x'])).code, 3);
    assert.deepEqual(calls, ['attach create=x start=true waitRemoved=true stdout=true'], '--rm: the daemon answers exit once the container is removed');
  });

  it('exits with the code of the tdocker-exit-code trailer, with the daemon\'s reason in one line', async () => {
    calls = [];
    const r = await tdocker(host, ['run', '--rm', 'busybox', 'nosuch']);
    assert.equal(r.code, 127);
    assert.equal(r.stderr, 'tdocker: run: exec: "nosuch": executable file not found in $PATH\n');
    assert.equal(r.stdout, '');
    assert.deepEqual(calls, ['attach create=nosuch start=true waitRemoved=true stdout=true']);
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
