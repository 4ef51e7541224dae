// A generated root filesystem tar for the image benchmarks: the same knobs give the same bytes.

import { memberHeader, padding, TAR_END, type TarMember } from '../../services/images/tar-writer.js';

/** A pseudo-random generator, so the same knobs give the same tar. */
function rng(seed: number) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

/**
 * Members shaped like a distribution's root filesystem: a directory tree a few levels deep,
 * mostly small files (log-uniform 100 B - 32 KiB), some large ones (256 KiB - 4 MiB),
 * symlinks and a few hard links, until `bytes` of file data.
 */
export function* rootfsMembers(bytes: number, pool: Buffer, seed = 42): Generator<Buffer> {
  const r = rng(seed);
  const logUniform = (lo: number, hi: number) => Math.floor(Math.exp(Math.log(lo) + r() * (Math.log(hi) - Math.log(lo))));
  const dirs = ['usr', 'usr/lib', 'usr/share', 'usr/bin', 'etc', 'var', 'var/lib'];
  const mtime = 1_700_000_000;
  for (const d of dirs) yield memberHeader({ path: d, type: 'dir', mode: 0o755, mtime });
  const files: string[] = [];
  let total = 0;
  let i = 0;
  while (total < bytes) {
    if (r() < 0.08) {
      const d = `${dirs[Math.floor(r() * dirs.length)]}/d${i}`;
      dirs.push(d);
      yield memberHeader({ path: d, type: 'dir', mode: 0o755, mtime });
    }
    const d = dirs[Math.floor(r() * dirs.length)]!;
    const path = `${d}/f${i++}`;
    const roll = r();
    if (roll < 0.07 && files.length) {
      yield memberHeader({ path, type: 'symlink', mode: 0o777, linkpath: `/${files[Math.floor(r() * files.length)]}`, mtime });
      continue;
    }
    if (roll < 0.075 && files.length) {
      yield memberHeader({ path, type: 'link', mode: 0o644, linkpath: files[Math.floor(r() * files.length)]!, mtime });
      continue;
    }
    const size = roll > 0.985 ? logUniform(256 << 10, 4 << 20) : logUniform(100, 32 << 10);
    const m: TarMember = { path, type: 'file', mode: r() < 0.2 ? 0o755 : 0o644, size, mtime, uid: r() < 0.1 ? 1000 : 0 };
    yield memberHeader(m);
    for (let off = 0; off < size; ) {
      const start = Math.floor(r() * (pool.length - (1 << 20)));
      const take = Math.min(size - off, 1 << 20);
      yield pool.subarray(start, start + take);
      off += take;
    }
    yield padding(size);
    files.push(path);
    total += size;
  }
  yield TAR_END;
}
