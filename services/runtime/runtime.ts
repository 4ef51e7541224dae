// Starts tdocker-shim for a prepared container and hands back a client for its socket. The daemon
// can also make a client for a shim it did not start (after a restart): the socket is the handle.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { TdockerError } from '../errors/tdocker-error.js';
import { ShimClient, shimError } from './shim-client.js';
import { ShimSpawner } from './shim-spawner.js';
import type { ExitStatus, ShimError } from './shim-protocol.js';

export const defaultShimPath = fileURLToPath(new URL('../../native/tdocker-shim', import.meta.url));

export class Runtime {
  private readonly spawner: ShimSpawner;

  constructor(shimPath: string = defaultShimPath) {
    this.spawner = new ShimSpawner(shimPath);
  }

  /**
   * Runs the shim on a config.json (native/README.md). Resolves once the container is created:
   * its init sits in its cgroups, set up, waiting for `start` — or, with `start`, once its payload
   * runs (saving the round trip when nobody needs to attach first). Rejects with the shim's error.
   */
  async create(configPath: string, socketPath: string, opts: { start?: boolean } = {}): Promise<{ pid: number; startedAt?: string; shim: ShimClient }> {
    const line = await this.spawner.request(configPath, !!opts.start);
    let reply: { status?: string; pid?: number; startedAt?: string } & Partial<ShimError>;
    try {
      reply = JSON.parse(line);
    } catch {
      throw new TdockerError('INTERNAL', `shim replied with something that is not JSON: ${line.slice(0, 200)}`);
    }
    if (reply.status && typeof reply.pid === 'number') {
      return { pid: reply.pid, ...(reply.startedAt ? { startedAt: reply.startedAt } : {}), shim: new ShimClient(socketPath) };
    }
    throw shimError({ message: reply.message ?? 'shim failed without a message', ...reply });
  }

  /**
   * Deletes the tree at `path` (absolute) in a child of the spawner, never crossing into another
   * filesystem: a mount left inside makes it fail. One line for the event loop, where Node's rm
   * costs a thread-pool hop per entry.
   */
  async removeTree(path: string): Promise<void> {
    const line = await this.spawner.remove(path);
    let reply: { status?: string } & Partial<ShimError>;
    try {
      reply = JSON.parse(line);
    } catch {
      throw new TdockerError('INTERNAL', `shim spawner replied with something that is not JSON: ${line.slice(0, 200)}`);
    }
    if (reply.status === 'removed') return;
    throw shimError({ message: reply.message ?? `could not remove ${path}`, ...reply });
  }

  /** Stops the spawner process; running shims are not affected. */
  close(): void {
    this.spawner.close();
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
