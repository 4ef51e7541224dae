// What the build runs in the bundle before it saves V8's code cache (bundle.mjs): every module a
// command may load, and calls through grpc-js both ways: answered (by a throwaway in-process
// server on a socket in `scratch`) and failing (a socket where nothing listens). V8 keeps the code
// of every function compiled so far in the cache, so a command starts with it compiled.
import { Server, ServerCredentials, type ServiceError, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { join } from 'node:path';
import { ContainersService } from '../../proto/gen/tinydocker/v1/containers.js';
import { SystemService } from '../../proto/gen/tinydocker/v1/system.js';
import { actionLoaders } from './actions/action-table.js';
import { commandLoaders } from './args/command-table.js';
import { parseCommandLine } from './args/parse-command-line.js';
import { DaemonClient } from './client/daemon-client.js';

const call = (send: (done: (err: ServiceError | null) => void) => unknown) => new Promise<void>((resolve) => send(() => resolve()));

export async function warmUp(scratch: string): Promise<void> {
  await Promise.all([...Object.values(actionLoaders), ...Object.values(commandLoaders)].map((load) => load()));
  await parseCommandLine(['ps', '-a']);
  await parseCommandLine(['run', '--rm', '-e', 'A=1', 'busybox', 'true']);

  const socket = `unix://${join(scratch, 'warm.sock')}`;
  const server = new Server();
  const system: UntypedServiceImplementation = { ping: (_call: unknown, done: (e: null, r: object) => void) => done(null, { apiVersion: 'v1', osType: 'linux' }) };
  const containers: UntypedServiceImplementation = { list: (_call: unknown, done: (e: null, r: object) => void) => done(null, { containers: [] }) };
  server.addService(SystemService, system);
  server.addService(ContainersService, containers);
  await new Promise<void>((resolve, reject) => server.bindAsync(socket, ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve())));
  try {
    const client = new DaemonClient({ host: socket, target: socket });
    await call((done) => client.system.ping({}, done));
    await call((done) => client.containers.list({ all: true, filters: [], limit: 0 }, done));
    client.close();
  } finally {
    server.forceShutdown();
  }
  const nowhere = `unix://${join(scratch, 'nothing.sock')}`;
  const absent = new DaemonClient({ host: nowhere, target: nowhere });
  await call((done) => absent.system.ping({}, done));
  absent.close();
}
