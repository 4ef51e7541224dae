// The supervisor at scale with a runtime that does nothing: N containers created (record written
// to disk, actor started) and started, then restored by a second supervisor from their records,
// with time and heap per container, as JSON. The root is a tmpfs-backed folder when /dev/shm
// exists, so the figures are the supervisor's and not the disk's.
//
//   node --expose-gc build/test/bench/daemon-scale.js [count]
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExitStatus, StartResult } from '../../machines/container-types.js';
import type { ContainerProbe, ContainerRuntime } from '../../services/supervisor/container-runtime.js';
import { Supervisor } from '../../services/supervisor/supervisor.js';
import type { ContainerDefinition } from '../../services/supervisor/container-record.js';

const count = Number(process.argv[2] ?? 2000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  console.error('daemon-scale: run node with --expose-gc, the heap figures need it');
  process.exit(2);
}
const heap = () => { gc!(); gc!(); return process.memoryUsage().heapUsed; };

let pid = 1000;
const started = new Map<string, StartResult>();
const runtime: ContainerRuntime = {
  async mount() {},
  async unmount() {},
  async start(spec) { const r = { pid: pid++, startedAt: new Date().toISOString() }; started.set(spec.id, r); return r; },
  waitExit: () => new Promise<ExitStatus>(() => {}),
  async signal() {},
  async pause() {},
  async resume() {},
  async remove() {},
  async probe(id): Promise<ContainerProbe> {
    const s = started.get(id);
    return s ? { state: 'running', ...s } : { state: 'gone' };
  },
};

const def: ContainerDefinition = {
  name: '', image: { ref: 'busybox', id: `sha256:${'b'.repeat(64)}` }, labels: {},
  spec: { lowers: ['/var/lib/tinydocker/layers/x'], process: { args: ['sleep', '1000'] } },
  restartPolicy: { name: 'no' }, autoRemove: false,
};

const root = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'tdscale-'));
try {
  const h0 = heap();
  const sup = new Supervisor({ root, runtime });
  let t0 = performance.now();
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push((await sup.create(def)).record.id);
  const createMs = performance.now() - t0;
  t0 = performance.now();
  await Promise.all(ids.map((id) => sup.start(id)));
  const startMs = performance.now() - t0;
  const h1 = heap();
  t0 = performance.now();
  sup.list();
  const listMs = performance.now() - t0;
  await sup.close();

  const sup2 = new Supervisor({ root, runtime });
  t0 = performance.now();
  const restored = await sup2.restore();
  const restoreMs = performance.now() - t0;
  await sup2.close();
  const round = (n: number) => Math.round(n * 10) / 10;
  console.log(JSON.stringify({
    count,
    createMs: round(createMs),
    createUsEach: round((createMs * 1000) / count),
    startAllMs: round(startMs),
    listMs: round(listMs),
    heapKiBEach: round((h1 - h0) / 1024 / count),
    restoreMs: round(restoreMs),
    restored: restored.restored,
  }));
} finally {
  rmSync(root, { recursive: true, force: true });
}
