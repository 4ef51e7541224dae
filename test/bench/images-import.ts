// Benchmark for the images issue, in one run:
//  1. import of a generated ~100 MiB root filesystem tar through ImageStore.importTar (the path
//     `tdocker import` takes), against `tar -x` by GNU tar of the same file; runs alternate,
//     each into a fresh directory, after a `sync`. Target: ours at least 0.7x tar's speed.
//  2. peak RSS growth of this process while importing that tar, and while importing a 1 GiB
//     tar streamed from a generator (no file). Target: under 64 MiB.
// Prints a table and one JSON line. Knobs: N (5 runs each), MIB (100), GIB (1; 0 skips part 2's
// big import), DIR (where to work; the system temp dir by default).

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, createReadStream, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ImageStore } from '../../services/images/image-store.js';
import { memberHeader, padding, TAR_END, type TarMember } from '../../services/images/tar-writer.js';

const N = Number(process.env.N ?? 5);
const MIB = Number(process.env.MIB ?? 100);
const GIB = Number(process.env.GIB ?? 1);
const WORK = join(process.env.DIR ?? tmpdir(), 'tdocker-bench-images');

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

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
function* rootfsMembers(bytes: number, pool: Buffer): Generator<Buffer> {
  const r = rng(42);
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

function makeTar(path: string, bytes: number): { files: number; size: number } {
  const pool = randomBytes(8 << 20);
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  let members = 0;
  for (const b of rootfsMembers(bytes, pool)) {
    writeSync(fd, b);
    if (b.length === 512 && b.readUInt8(257) === 0x75) members++;
  }
  closeSync(fd);
  execFileSync('mv', [tmp, path]);
  return { files: members, size: statSync(path).size };
}

const hwmKiB = () => Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]);
const rssKiB = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]);
/** Resets the peak-RSS counter (VmHWM) of this process. */
const resetPeak = () => writeFileSync('/proc/self/clear_refs', '5');

async function timed(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function importOnce(tarPath: string, root: string): Promise<void> {
  const store = new ImageStore(root);
  await store.importTar(createReadStream(tarPath, { highWaterMark: 1 << 20 }), { ref: 'bench' });
}

mkdirSync(WORK, { recursive: true });
const tarPath = join(WORK, `rootfs-${MIB}m.tar`);
if (!existsSync(tarPath)) makeTar(tarPath, MIB << 20);
const tarBytes = statSync(tarPath).size;
const members = Number(execFileSync('sh', ['-c', `tar -tf "${tarPath}" | wc -l`], { encoding: 'utf8' }).trim());

const ours: number[] = [];
const gnu: number[] = [];
const ratio: number[] = [];
try {
  // One warm-up of each: JIT for us, page cache for both.
  for (let i = -1; i < N; i++) {
    const a = join(WORK, `ours-${i}`);
    const b = join(WORK, `gnu-${i}`);
    mkdirSync(b);
    execFileSync('sync');
    const tOurs = await timed(() => importOnce(tarPath, a));
    execFileSync('sync');
    const tGnu = await timed(() => execFileSync('tar', ['-x', '-f', tarPath, '-C', b]));
    rmSync(a, { recursive: true, force: true });
    rmSync(b, { recursive: true, force: true });
    if (i < 0) continue;
    ours.push(tOurs);
    gnu.push(tGnu);
    ratio.push(tGnu / tOurs);
  }

  const base100 = rssKiB();
  resetPeak();
  await importOnce(tarPath, join(WORK, 'rss-100'));
  const growth100 = (hwmKiB() - base100) / 1024;
  rmSync(join(WORK, 'rss-100'), { recursive: true, force: true });

  let growthBig: number | null = null;
  let bigSeconds: number | null = null;
  if (GIB > 0) {
    const pool = randomBytes(8 << 20);
    const root = join(WORK, 'rss-big');
    execFileSync('sync');
    const baseBig = rssKiB();
    resetPeak();
    const ms = await timed(() => new ImageStore(root).importTar(Readable.from(rootfsMembers(GIB * 1024 ** 3, pool)), { ref: 'big' }));
    growthBig = (hwmKiB() - baseBig) / 1024;
    bigSeconds = ms / 1000;
    rmSync(root, { recursive: true, force: true });
  }

  const res = {
    tarMiB: tarBytes / 2 ** 20,
    members,
    n: N,
    oursMedianMs: median(ours),
    gnuTarMedianMs: median(gnu),
    speedRatioMedian: median(ratio),
    oursMiBps: tarBytes / 2 ** 20 / (median(ours) / 1000),
    rssGrowthMiB100: growth100,
    bigGiB: GIB || null,
    bigSeconds,
    rssGrowthMiBBig: growthBig,
  };
  const f1 = (x: number | null) => (x === null ? '-' : x.toFixed(1));
  console.log(`rootfs tar: ${res.tarMiB.toFixed(1)} MiB, ${members} members, ${N} alternating runs after a warm-up, each after sync`);
  console.log(`ImageStore.importTar (stream, extract, digest, commit)  median ${f1(res.oursMedianMs)} ms  (${f1(res.oursMiBps)} MiB/s)`);
  console.log(`GNU tar -x of the same file                             median ${f1(res.gnuTarMedianMs)} ms`);
  console.log(`speed ratio tar time / our time, per pair               median ${res.speedRatioMedian.toFixed(2)}   (target >= 0.7)`);
  console.log(`peak RSS growth importing ${f1(res.tarMiB)} MiB                       ${f1(growth100)} MiB`);
  if (GIB > 0) console.log(`peak RSS growth importing ${GIB} GiB (streamed)                 ${f1(growthBig)} MiB in ${f1(bigSeconds)} s (target < 64)`);
  console.log(JSON.stringify(res));
} finally {
  for (const n of [-1, ...ours.keys()]) {
    rmSync(join(WORK, `ours-${n}`), { recursive: true, force: true });
    rmSync(join(WORK, `gnu-${n}`), { recursive: true, force: true });
  }
}
