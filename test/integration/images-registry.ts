// Debian's docker-registry started on loopback for the image tests and benchmarks, with its
// storage in a temporary directory; images are pushed into it with skopeo.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const REGISTRY_BIN = '/usr/bin/docker-registry';
export const SKOPEO_BIN = '/usr/bin/skopeo';
export const canRunRegistry = existsSync(REGISTRY_BIN) && existsSync(SKOPEO_BIN);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export class LoopbackRegistry {
  private constructor(readonly host: string, private readonly child: ChildProcess) {}

  static async start(dir: string): Promise<LoopbackRegistry> {
    mkdirSync(join(dir, 'storage'), { recursive: true });
    const port = await freePort();
    const config = join(dir, 'config.yml');
    writeFileSync(
      config,
      ['version: 0.1', 'log:', '  level: error', 'storage:', '  filesystem:', `    rootdirectory: ${join(dir, 'storage')}`, 'http:', `  addr: 127.0.0.1:${port}`, ''].join('\n'),
    );
    const child = spawn(REGISTRY_BIN, ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const host = `127.0.0.1:${port}`;
    for (let i = 0; i < 200; i++) {
      if (child.exitCode !== null) throw new Error(`docker-registry exited: ${stderr}`);
      try {
        const res = await fetch(`http://${host}/v2/`);
        if (res.ok) return new LoopbackRegistry(host, child);
      } catch {
        // Not listening yet.
      }
      await sleep(25);
    }
    child.kill('SIGKILL');
    throw new Error(`docker-registry did not start: ${stderr}`);
  }

  /** Copies an image from any skopeo transport (`oci-archive:FILE:TAG`, …) to `repo:tag` here. */
  push(source: string, repoTag: string): void {
    execFileSync(SKOPEO_BIN, ['copy', '--quiet', '--dest-tls-verify=false', source, `docker://${this.host}/${repoTag}`], { stdio: 'pipe' });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    await Promise.race([exited, sleep(3000).then(() => this.child.kill('SIGKILL'))]);
  }
}
