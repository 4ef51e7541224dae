// What the build runs in the bundle before it saves V8's code cache (bundle.mjs): every module a
// command may load, and whole commands through runCli, the way a user's run them: `run --rm`
// (one Attach call), `ps`, `version`, and a daemon that is not there. V8 keeps the code of every
// function compiled so far in the cache, so a command starts with it compiled.
//
// The daemon they talk to is a few lines over Node's own HTTP/2 server that answer as tdockerd
// would, not grpc-js's server: server code in the cache would only make every start read more.
import { createServer, type ServerHttp2Stream } from 'node:http2';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { IoFrame, ListContainersResponse } from '../../proto/gen/tinydocker/v1/containers.js';
import { PingResponse, VersionResponse } from '../../proto/gen/tinydocker/v1/system.js';
import { actionLoaders } from './actions/action-table.js';
import { commandLoaders } from './args/command-table.js';
import { frameMessage } from './client/grpc-frames.js';
import { runCli, type CliStdio } from './run-cli.js';

function answer(stream: ServerHttp2Stream, messages: Uint8Array[], status = 0): void {
  stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
  stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': String(status) }));
  stream.end(Buffer.concat(messages.map(frameMessage)));
}

function fakeDaemon(stream: ServerHttp2Stream, path: string): void {
  stream.on('error', () => {});
  switch (path) {
    case '/tinydocker.v1.Containers/Attach':
      stream.once('data', () => answer(stream, [
        IoFrame.encode({ frame: { $case: 'created', created: { id: 'c'.repeat(64), warnings: [] } } }).finish(),
        IoFrame.encode({ frame: { $case: 'stdout', stdout: Buffer.from('warm\n') } }).finish(),
        IoFrame.encode({ frame: { $case: 'exit', exit: { exitCode: 0, signal: 0, oomKilled: false, error: '' } } }).finish(),
      ]));
      return;
    case '/tinydocker.v1.Containers/List':
      answer(stream, [ListContainersResponse.encode({ containers: [] }).finish()]);
      return;
    case '/tinydocker.v1.System/Ping':
      answer(stream, [PingResponse.encode({ apiVersion: 'v1', osType: 'linux' }).finish()]);
      return;
    case '/tinydocker.v1.System/Version':
      answer(stream, [VersionResponse.encode({ version: '0', apiVersion: 'v1', gitCommit: '', nodeVersion: '', os: 'linux', arch: 'x64', kernelVersion: '' }).finish()]);
      return;
    default:
      answer(stream, [], 12); // UNIMPLEMENTED
  }
}

export async function warmUp(scratch: string): Promise<void> {
  await Promise.all([...Object.values(actionLoaders), ...Object.values(commandLoaders)].map((load) => load()));

  const socket = join(scratch, 'warm.sock');
  const server = createServer();
  server.on('stream', (stream, headers) => fakeDaemon(stream, String(headers[':path'])));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socket, resolve);
  });
  const sink = () => new PassThrough().resume() as unknown as NodeJS.WriteStream;
  const stdio: CliStdio = { stdin: new PassThrough() as unknown as NodeJS.ReadStream, stdout: sink(), stderr: sink() };
  try {
    const host = ['-H', `unix://${socket}`];
    const runs: [string[], number][] = [
      [[...host, 'run', '--rm', '--network', 'none', '-e', 'A=1', 'busybox', 'true'], 0],
      [[...host, 'ps', '-a'], 0],
      [[...host, 'version'], 0],
      [[...host, 'ps', '--help'], 0],
      [['-H', `unix://${join(scratch, 'nothing.sock')}`, 'ps'], 125],
    ];
    for (const [args, want] of runs) {
      // A warm-up that went another way than a user's command would warm the wrong code.
      const code = await runCli(args, stdio);
      if (code !== want) throw new Error(`warm-up: tdocker ${args.join(' ')} exited ${code}, not ${want}`);
    }
  } finally {
    server.close();
  }
}
