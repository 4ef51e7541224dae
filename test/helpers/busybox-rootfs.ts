// A minimal busybox rootfs for tests and benchmarks, made from Debian's busybox-static the way
// `busybox --install -s` would inside it. Built once per path and reused.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, copyFileSync, chmodSync, symlinkSync, writeFileSync, renameSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';

export const BUSYBOX = process.env.BUSYBOX ?? '/bin/busybox';

export function busyboxRootfs(dir: string): string {
  if (existsSync(join(dir, 'bin/busybox'))) return dir;
  if (!existsSync(BUSYBOX)) throw new Error(`no static busybox at ${BUSYBOX} (apt-get install busybox-static)`);
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  for (const d of ['bin', 'sbin', 'etc', 'proc', 'sys', 'dev', 'tmp', 'run', 'root', 'usr', 'var/tmp']) {
    mkdirSync(join(tmp, d), { recursive: true });
  }
  chmodSync(join(tmp, 'tmp'), 0o1777);
  chmodSync(join(tmp, 'var/tmp'), 0o1777);
  copyFileSync(BUSYBOX, join(tmp, 'bin/busybox'));
  chmodSync(join(tmp, 'bin/busybox'), 0o755);
  symlinkSync('../bin', join(tmp, 'usr/bin'));
  symlinkSync('../sbin', join(tmp, 'usr/sbin'));
  const applets = execFileSync(BUSYBOX, ['--list-full'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  for (let a of applets) {
    if (a === 'bin/busybox') continue;
    a = a.replace(/^usr\/bin\//, 'bin/').replace(/^usr\/sbin\//, 'sbin/');
    const p = join(tmp, a);
    mkdirSync(dirname(p), { recursive: true });
    if (!existsSync(p)) symlinkSync('/bin/busybox', p);
  }
  writeFileSync(join(tmp, 'etc/passwd'),
    'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\nuser:x:1000:1000:user:/home/user:/bin/sh\n');
  writeFileSync(join(tmp, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\nuser:x:1000:\nextra:x:2000:user\n');
  mkdirSync(dirname(dir), { recursive: true });
  renameSync(tmp, dir);
  return dir;
}
