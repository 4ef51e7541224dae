// Starts tdocker-shim for a prepared container and hands back a client for its socket. The daemon
// can also make a client for a shim it did not start (after a restart): the socket is the handle.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { TdockerError } from '../errors/tdocker-error.js';
import { ShimClient, shimError } from './shim-client.js';
import type { ExitStatus, ShimError } from './shim-protocol.js';

export const defaultShimPath = fileURLToPath(new URL('../../native/tdocker-shim', import.meta.url));

export class Runtime {
  constructor(private readonly shimPath: string = defaultShimPath) {}

  /**
   * Runs the shim on a config.json (native/README.md). Resolves once the container is created:
   * its init sits in its cgroups, set up, waiting for `start` — or, with `start`, once its payload
   * runs (saving the round trip when nobody needs to attach first). Rejects with the shim's error.
   */
  create(configPath: string, socketPath: string, opts: { start?: boolean } = {}): Promise<{ pid: number; startedAt?: string; shim: ShimClient }> {
    return new Promise((resolve, reject) => {
      const args = opts.start ? ['--start', configPath] : [configPath];
      const child = spawn(this.shimPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
      child.stderr.setEncoding('utf8').on('data', (d: string) => { err += d; });
      child.once('error', (e) => reject(new TdockerError('INTERNAL', `start shim ${this.shimPath}: ${e.message}`, { cause: e })));
      child.once('close', (code) => {
        const line = out.split('\n')[0] ?? '';
        let reply: { status?: string; pid?: number; startedAt?: string } & Partial<ShimError>;
        try {
          reply = JSON.parse(line);
        } catch {
          reject(new TdockerError('INTERNAL', `shim exited with ${code} without a reply${err ? ': ' + err.trim() : ''}`));
          return;
        }
        if (code === 0 && reply.status && typeof reply.pid === 'number') {
          resolve({ pid: reply.pid, ...(reply.startedAt ? { startedAt: reply.startedAt } : {}), shim: new ShimClient(socketPath) });
        }
        else reject(shimError({ message: reply.message ?? `shim exited with ${code}`, ...reply }));
      });
    });
  }

  /** A client for a shim that may have been started by an earlier daemon. */
  connect(socketPath: string): ShimClient {
    return new ShimClient(socketPath);
  }
}

/** The exit status the shim persisted; undefined when there is none (still running, or lost). */
export async function readExitFile(path: string): Promise<ExitStatus | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as ExitStatus;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw TdockerError.from(e);
  }
}
