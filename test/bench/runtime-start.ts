// Benchmark for the "Run real containers" issue, measured beside crun in the same run:
//  1. create + start + wait + remove of /bin/true from a warm Node process, vs `crun run`
//  2. 50 containers, 8 at a time, vs the same batch of `crun run`
//  3. the idle RSS of a shim
// Prints a table and one JSON line. Knobs: N (30), WARM (3), NPAR (50), PAR (8), ROUNDS (3: the
// batch pair is run that many times, alternating which goes first; the medians are compared, so a
// burst of other work on the machine does not decide the ratio alone).
import { TestHost, crunBundle, crunUsable, median, run, timeIt, rssKiB } from './bench-host.js';
import { join } from 'node:path';
import { machineBusy } from './cpu-time.js';

const N = Number(process.env.N ?? 30);
const WARM = Number(process.env.WARM ?? 3);
const NPAR = Number(process.env.NPAR ?? 50);
const PAR = Number(process.env.PAR ?? 8);
const ROUNDS = Number(process.env.ROUNDS ?? 3);

async function pool(n: number, par: number, fn: (i: number) => Promise<unknown>) {
  let next = 0;
  await Promise.all(Array.from({ length: par }, async () => {
    while (next < n) await fn(next++);
  }));
}

const host = await TestHost.create();
const crun = crunUsable();
const bundle = crun.ok ? crunBundle(join(host.base, 'crun-true'), host.image, ['/bin/true']) : '';
let seq = 0;

const ours = async () => {
  // As `run --rm`: the container goes when it stops (podman mounts such roots volatile too).
  const spec = host.spec(['/bin/true'], { autoRemove: true });
  await host.runner.run(spec);
  await host.runner.wait(spec.id);
  await host.runner.remove(spec.id);
};
const crunRun = () => run('crun', ['run', '--bundle', bundle, `tdb-${process.pid}-${seq++}`]);
const floor = () => run('/bin/true', []);

try {
  if (crun.note) console.log(`note: ${crun.note}`);
  for (let i = 0; i < WARM; i++) {
    await ours();
    if (crun.ok) await crunRun();
    await floor();
  }
  const a: number[] = [], b: number[] = [], f: number[] = [], ratio: number[] = [];
  for (let i = 0; i < N; i++) {
    const ta = await timeIt(ours);
    a.push(ta);
    if (crun.ok) {
      const tb = await timeIt(crunRun);
      b.push(tb);
      ratio.push(ta / tb);
    }
    f.push(await timeIt(floor));
  }
  const batchesOurs: number[] = [], batchesCrun: number[] = [];
  const busyOurs: number[] = [], busyCrun: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    // Each batch's machine-wide CPU is taken over the batch and a settling pause after it (ours
    // deletes folders in the background), the same for both.
    const busy = async (into: number[], fn: () => Promise<unknown>) => {
      const b0 = machineBusy();
      await fn();
      await new Promise((r) => setTimeout(r, 200));
      into.push((machineBusy() - b0) / NPAR);
    };
    const oursBatch = () => busy(busyOurs, async () => batchesOurs.push(await timeIt(() => pool(NPAR, PAR, () => ours()))));
    const crunBatch = async () => { if (crun.ok) await busy(busyCrun, async () => batchesCrun.push(await timeIt(() => pool(NPAR, PAR, () => crunRun())))); };
    if (r % 2 === 0) { await oursBatch(); await crunBatch(); } else { await crunBatch(); await oursBatch(); }
  }
  const batchOurs = median(batchesOurs);
  const batchCrun = crun.ok ? median(batchesCrun) : NaN;

  const idle = host.spec(['sleep', '60']);
  await host.runner.run(idle);
  await new Promise((r) => setTimeout(r, 300));
  const state = await host.runner.shim(idle.id).state();
  const rss = state.status === 'exited' ? undefined : rssKiB(state.shimPid);
  await host.runner.remove(idle.id);

  const res = {
    n: N,
    oursMedianMs: median(a),
    crunMedianMs: crun.ok ? median(b) : null,
    spawnFloorMedianMs: median(f),
    ratioMedian: crun.ok ? median(ratio) : null,
    batch: { n: NPAR, par: PAR, rounds: ROUNDS, oursMs: batchOurs, crunMs: crun.ok ? batchCrun : null, ratio: crun.ok ? batchOurs / batchCrun : null, oursRunsMs: batchesOurs, crunRunsMs: batchesCrun,
      machineCpuMsPerContainer: { ours: median(busyOurs), crun: crun.ok ? median(busyCrun) : null } },
    shimIdleRssKiB: rss ?? null,
  };
  const f1 = (x: number | null) => (x === null ? '-' : x.toFixed(1));
  const f2 = (x: number | null) => (x === null ? '-' : x.toFixed(2));
  console.log(`create+start+wait+remove /bin/true, warm Node   median ${f1(res.oursMedianMs)} ms`);
  console.log(`crun run /bin/true (spawned from the same Node)   median ${f1(res.crunMedianMs)} ms   (spawn floor of /bin/true ${f1(res.spawnFloorMedianMs)} ms)`);
  console.log(`ratio ours / crun, per pair                       median ${f2(res.ratioMedian)}   (target <= 1.0)`);
  console.log(`${NPAR} x /bin/true, ${PAR} at a time, median of ${ROUNDS}     ours ${f1(batchOurs)} ms   crun ${f1(res.batch.crunMs)} ms   ratio ${f2(res.batch.ratio)} (target <= 1.0); machine CPU per container ${f1(res.batch.machineCpuMsPerContainer.ours)} ms vs crun's ${f1(res.batch.machineCpuMsPerContainer.crun)} ms`);
  console.log(`shim idle RSS                                     ${rss ?? '-'} KiB (target <= 1024)`);
  console.log(JSON.stringify(res));
} finally {
  await host.cleanup();
  const left = host.leftovers();
  if (left.length) console.error('left behind:', left);
}
