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
import { rootfsMembers } from './images-rootfs-tar.js';

const N = Number(process.env.N ?? 5);
const MIB = Number(process.env.MIB ?? 100);
const GIB = Number(process.env.GIB ?? 1);
const WORK = join(process.env.DIR ?? tmpdir(), 'tdocker-bench-images');

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

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
