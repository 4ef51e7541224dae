// Start latency with the default bridge network vs --network none, beside podman's same pair, in
// one run: `run --rm busybox true` through the gRPC API until the container is removed (so
// set-up and teardown are both in), alternating the two modes. Reports each mode's median, the
// bridge overhead (bridge - none) of both, and ours / podman's (target <= 0.2).
// Knobs: N (20), NPOD (10).
import { join } from 'node:path';
import { WaitContainerRequest_Condition } from '../../proto/gen/tinydocker/v1/containers.js';
import { DaemonHarness, runRequest } from '../integration/daemon-harness.js';
import { networkLeftovers } from '../integration/network-harness.js';
import { has, median, run, timeIt } from './bench-host.js';

const N = Number(process.env.N ?? 20);
const NPOD = Number(process.env.NPOD ?? 10);

const h = await DaemonHarness.create();
const results: Record<string, number | null> = {};
try {
  await h.start();
  await h.importBusybox();
  const once = async (networkMode: string) => {
    const id = await h.run(runRequest('busybox', ['/bin/true'], { hostConfig: { autoRemove: true, networkMode } }));
    await h.wait(id, WaitContainerRequest_Condition.REMOVED).catch(() => {});
  };
  // Warm-up: the default network and its bridge are made on first use.
  for (let i = 0; i < 3; i++) { await once('none'); await once(''); }
  const none: number[] = [];
  const bridge: number[] = [];
  for (let i = 0; i < N; i++) {
    none.push(await timeIt(() => once('none')));
    bridge.push(await timeIt(() => once('')));
  }
  results.noneMedianMs = median(none);
  results.bridgeMedianMs = median(bridge);
  results.bridgeOverheadMs = median(bridge) - median(none);

  if (has('podman')) {
    const tar = join(h.host.base, 'rootfs.tar');
    await run('tar', ['-C', h.host.image, '-cf', tar, '.']);
    await run('podman', ['import', tar, 'tdbench-net-busybox']);
    const pf = ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=4096:4096'];
    const pod = (netArgs: string[]) => run('podman', ['run', '--rm', ...netArgs, ...pf, 'tdbench-net-busybox', '/bin/true']);
    try {
      await pod(['--network', 'none']);
      await pod([]);
      const pNone: number[] = [];
      const pBridge: number[] = [];
      for (let i = 0; i < NPOD; i++) {
        pNone.push(await timeIt(() => pod(['--network', 'none'])));
        pBridge.push(await timeIt(() => pod([])));
      }
      results.podmanNoneMedianMs = median(pNone);
      results.podmanBridgeMedianMs = median(pBridge);
      results.podmanBridgeOverheadMs = median(pBridge) - median(pNone);
      results.overheadVsPodman = results.bridgeOverheadMs / results.podmanBridgeOverheadMs;
    } catch (e) {
      console.error(`podman could not run both modes: ${(e as Error).message}`);
    } finally {
      await run('podman', ['rmi', '-f', 'tdbench-net-busybox']).catch(() => {});
    }
  }
  const f = (x: number | null | undefined, d = 1) => (typeof x === 'number' ? x.toFixed(d) : '-');
  console.log(`run --rm true (gRPC, until removed): --network none ${f(results.noneMedianMs)} ms   bridge ${f(results.bridgeMedianMs)} ms   overhead ${f(results.bridgeOverheadMs)} ms`);
  console.log(`podman run --rm true: --network none ${f(results.podmanNoneMedianMs)} ms   default ${f(results.podmanBridgeMedianMs)} ms   overhead ${f(results.podmanBridgeOverheadMs)} ms`);
  console.log(`bridge overhead ours / podman's ${f(results.overheadVsPodman, 3)} (target <= 0.2)`);
  console.log(JSON.stringify(results));
} finally {
  await h.stop();
  const left = [...h.host.leftovers(), ...networkLeftovers(h.host.root, h.host.runRoot)];
  if (left.length) console.error('left behind:', left);
}
