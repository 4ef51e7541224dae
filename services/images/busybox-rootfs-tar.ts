// The quick start's starter image as a root filesystem tar stream, made from Debian's
// busybox-static: /bin/busybox, every applet a symlink to it as `busybox --install -s` makes
// them, /etc/passwd and /etc/group with root and nobody, and the empty directories a container
// needs. Every timestamp is the busybox binary's, so the same binary always gives the same tar
// (the same layer digest), and importing it twice finds the layer already there.

import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { notFound } from '../errors/tdocker-error.js';
import { DEFAULT_PATH, type ImageConfig } from './image-config.js';
import { memberBlocks, memberHeader, padding, TAR_END, type TarMember } from './tar-writer.js';

export const DEFAULT_BUSYBOX = '/bin/busybox';

/** What `docker run busybox` does without arguments: a shell. */
export const BUSYBOX_CONFIG: ImageConfig = { Env: [DEFAULT_PATH], Cmd: ['sh'] };

const DIRS: Array<[string, number]> = [
  ['bin', 0o755],
  ['dev', 0o755],
  ['etc', 0o755],
  ['home', 0o755],
  ['proc', 0o555],
  ['root', 0o700],
  ['run', 0o755],
  ['sbin', 0o755],
  ['sys', 0o555],
  ['tmp', 0o1777],
  ['usr', 0o755],
  ['usr/bin', 0o755],
  ['usr/sbin', 0o755],
  ['var', 0o755],
  ['var/tmp', 0o1777],
];

const PASSWD = 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n';
const GROUP = 'root:x:0:\nnogroup:x:65534:\n';

/** Applet paths (`bin/sh`, `usr/bin/awk`, …) as the binary lists them, minus itself and linuxrc. */
export function busyboxApplets(busybox = DEFAULT_BUSYBOX): string[] {
  const out = execFileSync(busybox, ['--list-full'], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && l.includes('/') && l !== 'bin/busybox');
}

export function busyboxRootfsTar(busybox = DEFAULT_BUSYBOX): Readable {
  if (!existsSync(busybox)) throw notFound(`no static busybox at ${busybox} (apt-get install busybox-static)`);
  const st = statSync(busybox);
  const mtime = Math.floor(st.mtimeMs / 1000);
  const applets = busyboxApplets(busybox);
  async function* members(): AsyncGenerator<Buffer> {
    yield memberHeader({ path: './', type: 'dir', mode: 0o755, mtime });
    for (const [path, mode] of DIRS) yield memberHeader({ path: `./${path}/`, type: 'dir', mode, mtime });
    const file = (path: string, text: string, mode = 0o644): Buffer =>
      memberBlocks({ path, type: 'file', mode, mtime } as TarMember, Buffer.from(text));
    yield file('./etc/passwd', PASSWD);
    yield file('./etc/group', GROUP);
    yield memberHeader({ path: './bin/busybox', type: 'file', mode: 0o755, size: st.size, mtime });
    let sent = 0;
    for await (const chunk of createReadStream(busybox, { highWaterMark: 1 << 20 })) {
      const b = chunk as Buffer;
      sent += b.length;
      if (sent > st.size) throw new Error(`${busybox} grew while being archived`);
      yield b;
    }
    if (sent !== st.size) throw new Error(`${busybox} shrank while being archived`);
    yield padding(st.size);
    for (const a of [...applets].sort()) {
      yield memberHeader({ path: `./${a}`, type: 'symlink', mode: 0o777, linkpath: '/bin/busybox', mtime });
    }
    yield TAR_END;
  }
  return Readable.from(members(), { objectMode: false });
}
