// Benchmarks of the daemon and CLI issue, in one run beside crun and podman:
//  1. `tdocker run --rm --network none busybox true`, CLI process included, vs `podman run --rm --network none`
//  2. gRPC Run -> started (daemon side) vs `crun run` (whole)
//  3. 50 Runs at once from one client vs 50 `crun run`, 8 at a time (crun's best batch shape)
//  4. `tdocker ps` with 1,000 containers running, and the daemon's RSS then
//  3b. the same pairs again once the daemon has run WARM more containers (its JIT warm)
// Knobs: N (20), NPOD (10), NPAR (50), ROUNDS (5 batch pairs), WARM (1000; 0 skips 3b), NPS (1000; 0 skips 4).
// Prints a table and one JSON line.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DaemonHarness, runRequest } from '../integration/daemon-harness.js';
import { machineBusy, procCpu } from './cpu-time.js';
import { crunBundle, crunUsable, has, median, percentile, run, timeIt } from './bench-host.js';

const N = Number(process.env.N ?? 20);
const NPOD = Number(process.env.NPOD ?? 10);
const NPAR = Number(process.env.NPAR ?? 50);
const NPS = Number(process.env.NPS ?? 1000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const WARM = Number(process.env.WARM ?? 1000);
// The bin a user runs (`npm run build` makes it, with the bundle and its code cache).
const cli = fileURLToPath(new URL('../../services/cli/bin.cjs', import.meta.url));
if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build (the bundle step makes the CLI's bin)`);

// NODE_EXTRA_CA_CERTS makes every Node process read a certificate bundle at start (~50 ms): a
// setting of some environments, not of a user's shell, and the CLI never needs it.
const cliEnv = { ...process.env };
delete cliEnv.NODE_EXTRA_CA_CERTS;

function runCli(socket: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [cli, '-H', `unix://${socket}`, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: cliEnv });
    let out = '';
    let err = '';
    c.stdout.on('data', (d) => { out += d; });
    c.stderr.on('data', (d) => { err += d; });
    c.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`tdocker ${args.join(' ')}: ${code}: ${err}`))));
  });
}

const rssMiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

const h = await DaemonHarness.create();
const crun = crunUsable();
const results: Record<string, unknown> = {};
try {
  // The daemon's default log level: the harness asks for debug lines, which tests read when they
  // fail, and which cost the daemon ~2 ms of CPU per container.
  await h.start(['--log-level', 'info']);
  await h.importBusybox();
  const sock = h.socket;
  const bundle = crun.ok ? crunBundle(join(h.host.base, 'crun-true'), h.host.image, ['/bin/true']) : '';
  let seq = 0;
  const crunRun = () => run('crun', ['run', '--bundle', bundle, `tdd-${process.pid}-${seq++}`]);
  // --network none: the network issue benchmarks the bridge on its own.
  const rmReq = (cmd: string[]) => runRequest('busybox', cmd, { hostConfig: { autoRemove: true, networkMode: 'none' } });

  // 1. end to end, CLI included
  const e2e: number[] = [];
  const e2eArgs = ['run', '--rm', '--network', 'none', 'busybox', 'true'];
  for (let i = 0; i < 3; i++) await runCli(sock, e2eArgs);
  for (let i = 0; i < N; i++) e2e.push(await timeIt(() => runCli(sock, e2eArgs)));
  results.e2eMedianMs = median(e2e);
  let podman: number[] = [];
  if (has('podman')) {
    const tar = join(h.host.base, 'rootfs.tar');
    await run('tar', ['-C', h.host.image, '-cf', tar, '.']);
    await run('podman', ['import', tar, 'tdbench-busybox']);
    const pf = ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=4096:4096'];
    const pod = () => run('podman', ['run', '--rm', '--network', 'none', ...pf, 'tdbench-busybox', '/bin/true']);
    await pod();
    for (let i = 0; i < NPOD; i++) podman.push(await timeIt(pod));
    await run('podman', ['rmi', '-f', 'tdbench-busybox']).catch(() => {});
    results.podmanMedianMs = median(podman);
    results.e2eVsPodman = median(e2e) / median(podman);
  }

  // 2. gRPC Run -> started, daemon side, vs crun run
  const started: number[] = [];
  const crunT: number[] = [];
  for (let i = 0; i < N; i++) {
    let id = '';
    started.push(await timeIt(async () => { id = await h.run(rmReq(['sleep', '0.2'])); }));
    await h.wait(id).catch(() => {});
    if (crun.ok) crunT.push(await timeIt(crunRun));
  }
  results.runStartedP50Ms = median(started);
  results.crunMedianMs = crun.ok ? median(crunT) : null;
  results.runVsCrun = crun.ok ? median(started) / median(crunT) : null;

  // 3. 50 Runs at once from one client vs crun's batch. One batch goes first unmeasured: the
  // daemon's JIT meets the concurrent paths there (its CPU per Run falls over the first
  // batches). Then ROUNDS pairs, alternating which goes first; the medians are compared, as in
  // runtime-start, so that one burst of other work on the machine does not decide the ratio.
  const dpid = h.daemon!.child.pid!;
  const pause = () => new Promise((r) => setTimeout(r, 500));
  const runBatch = () => Promise.all(Array.from({ length: NPAR }, () => h.run(rmReq(['/bin/true']))));
  const pairs = async () => {
    const ours: number[] = [];
    const crunRuns: number[] = [];
    const cpu = { daemon: 0, main: 0, machine: 0, crunMachine: 0 };
    const oursBatch = async () => {
      const cpu0 = [procCpu(dpid), procCpu(dpid, dpid)];
      const busy0 = machineBusy();
      ours.push(await timeIt(runBatch));
      await pause();
      // The daemon's CPU for the batch, removals included (all done in the pause): all threads,
      // and its main thread alone (the one the Runs queue on); the whole machine's too.
      cpu.daemon += procCpu(dpid) - cpu0[0]!;
      cpu.main += procCpu(dpid, dpid) - cpu0[1]!;
      cpu.machine += machineBusy() - busy0;
    };
    const crunBatch = async () => {
      let next = 0;
      const busy0 = machineBusy();
      crunRuns.push(await timeIt(() => Promise.all(Array.from({ length: 8 }, async () => {
        while (next < NPAR) { next++; await crunRun(); }
      }))));
      await pause();
      cpu.crunMachine += machineBusy() - busy0;
    };
    for (let r = 0; r < ROUNDS; r++) {
      if (r % 2 === 0 || !crun.ok) await oursBatch();
      if (crun.ok) await crunBatch();
      if (r % 2 === 1 && crun.ok) await oursBatch();
    }
    const per = NPAR * ROUNDS;
    return {
      batchRunMs: median(ours), batchRunsMs: ours,
      batchDaemonCpuMsPerRun: cpu.daemon / per, batchMainThreadCpuMsPerRun: cpu.main / per, batchMachineCpuMsPerRun: cpu.machine / per,
      ...(crun.ok ? {
        crunBatchMs: median(crunRuns), crunBatchRunsMs: crunRuns, crunMachineCpuMsPerRun: cpu.crunMachine / per,
        batchVsCrun: median(ours) / median(crunRuns),
      } : {}),
    };
  };
  await runBatch();
  await pause();
  Object.assign(results, await pairs());
  // 3b. A daemon is a long-lived process: its JIT is still compiling the paths a Run takes over
  // its first thousands of containers (V8 tiers a function up by how much it has run, and most
  // run once or twice per container). The same pairs again after WARM more Runs, unmeasured.
  if (WARM > 0) {
    for (let done = 0; done < WARM; done += NPAR) await runBatch();
    await pause();
    results.warm = { afterRuns: WARM, ...(await pairs()) };
  }

  // 4. ps with 1,000 running containers, daemon RSS
  if (NPS > 0) {
    const rss0 = rssMiB(h.daemon!.child.pid!);
    const t0 = Date.now();
    for (let i = 0; i < NPS; i += 20) {
      await Promise.all(Array.from({ length: Math.min(20, NPS - i) }, () => h.run(runRequest('busybox', ['sleep', '3600'], { hostConfig: { networkMode: 'none' } }))));
    }
    results.startManyS = (Date.now() - t0) / 1000;
    const ps: number[] = [];
    for (let i = 0; i < 5; i++) ps.push(await timeIt(() => runCli(sock, ['ps', '-q'])));
    results.ps1000MedianMs = median(ps);
    results.ps1000P90Ms = percentile(ps, 90);
    results.daemonRssMiB = { idle: rss0, with1000Running: rssMiB(h.daemon!.child.pid!) };
  }
  const r = results as Record<string, number | null | object>;
  const f = (x: unknown, d = 1) => (typeof x === 'number' ? x.toFixed(d) : '-');
  console.log(`tdocker run --rm --network none busybox true (CLI incl.)  median ${f(r.e2eMedianMs)} ms   podman --network none ${f(r.podmanMedianMs)} ms   ratio ${f(r.e2eVsPodman, 2)} (targets <= 100 ms, <= 0.6)`);
  console.log(`gRPC Run -> started p50 ${f(r.runStartedP50Ms)} ms   crun run ${f(r.crunMedianMs)} ms   ratio ${f(r.runVsCrun, 2)} (target <= 1.5)`);
  const batchLine = (b: Record<string, unknown>, what: string) => console.log(`${NPAR} Runs at once, ${what}, median of ${ROUNDS} ${f(b.batchRunMs)} ms   crun x${NPAR} -P8 ${f(b.crunBatchMs)} ms   ratio ${f(b.batchVsCrun, 2)} (target <= 1.0); daemon CPU per Run ${f(b.batchDaemonCpuMsPerRun)} ms, main thread ${f(b.batchMainThreadCpuMsPerRun)} ms; machine CPU per container ${f(b.batchMachineCpuMsPerRun)} ms vs crun's ${f(b.crunMachineCpuMsPerRun)} ms`);
  batchLine(r, `after ~${3 + N + N + NPAR} Runs`);
  if (r.warm) batchLine(r.warm as Record<string, unknown>, `after ${WARM} more`);
  if (NPS > 0) console.log(`tdocker ps -q with ${NPS} running: median ${f(r.ps1000MedianMs)} ms (target <= 150); daemon RSS ${JSON.stringify(r.daemonRssMiB)} MiB (target <= 150)`);
  console.log(JSON.stringify(results));
  if (process.env.BENCH_OUT) writeFileSync(process.env.BENCH_OUT, JSON.stringify(results));
} finally {
  await h.stop();
  const left = h.host.leftovers();
  if (left.length) console.error('left behind:', left);
}
