// A burst of real containers through a real daemon and its own (embedded) nats-server, watched by
// a raw-protocol NATS subscriber on tdocker.events.>: N containers of `/bin/true` run with --rm
// through the gRPC API, CONC at a time (each worker waits for its container's removal before the
// next). Checked: every container's events arrive, each once, in lifecycle order with seq 1..5
// (create, mount, start, die, destroy), and JetStream's replay holds the same. Reported: the
// burst's total time, containers/s and events/s, transition → receipt latency (the event's own
// timestamp against this process's wall clock, both on this machine), the CPU the daemon and the
// nats-server spent per container, and beside it `crun run` of the same /bin/true with the same
// concurrency (what a container costs without a daemon or events).
//
// Knobs: N (1000 containers), CONC (8), NCRUN (N; 0 skips crun). Prints a table and one JSON line.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WaitContainerRequest_Condition } from '../../proto/gen/tinydocker/v1/containers.js';
import type { InfoResponse } from '../../proto/gen/tinydocker/v1/system.js';
import { DaemonHarness, runRequest, unary } from '../integration/daemon-harness.js';
import { replay } from '../integration/events-grpc.js';
import { crunBundle, crunUsable, ms, now, percentile, run } from './bench-host.js';
import { rawSubscriber } from './events-raw-subscriber.js';

const N = Number(process.env.N ?? 1000);
const CONC = Number(process.env.CONC ?? 8);
const NCRUN = Number(process.env.NCRUN ?? N);
const LIFECYCLE = ['create', 'mount', 'start', 'die', 'destroy'];

/** Wall clock in ms with sub-ms digits (the monotonic clock anchored at process start). */
const wallMs = () => performance.timeOrigin + performance.now();
/** An RFC 3339 time with nine fraction digits, in ms since the epoch (µs kept). */
const rfc3339Ms = (t: string) => Date.parse(`${t.slice(0, 19)}Z`) + Number(`0.${t.slice(20, -1) || '0'}`) * 1000;

/** user+sys CPU seconds of a process so far. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
}

interface Seen {
  seqs: number[];
  actions: string[];
  /** Transition → receipt of each, ms. */
  latency: number[];
}

async function pool(n: number, conc: number, job: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(conc, n) }, async () => {
    while (next < n) await job(next++);
  }));
}

const h = await DaemonHarness.create();
const out: Record<string, unknown> = { bench: 'events-burst', containers: N, concurrency: CONC };
try {
  // Info-level logs as a production daemon; its own nats-server (no --nats).
  await h.start(['--log-level', 'info', '--default-network', 'none', '--host-name', 'burst']);
  await h.importBusybox();
  const info = await unary<InfoResponse>((cb) => h.system.info({}, cb));
  if (info.natsState !== 'connected') throw new Error(`the bus is ${info.natsState}: ${info.natsLastError}`);
  const url = info.natsServers[0]!;
  const natsPid = Number(readFileSync(join(h.host.root, 'nats', 'nats-server.pid'), 'utf8'));
  const daemonPid = h.daemon!.child.pid!;

  const seen = new Map<string, Seen>();
  let lastAt = 0;
  const sock = await rawSubscriber(url, (p) => {
    const at = wallMs();
    const e = JSON.parse(p.toString()) as { subject: string; seq: number; time: string; data: { action: string } };
    lastAt = at;
    const s = seen.get(e.subject) ?? { seqs: [], actions: [], latency: [] };
    s.seqs.push(e.seq);
    s.actions.push(e.data.action);
    s.latency.push(at - rfc3339Ms(e.time));
    seen.set(e.subject, s);
  });

  // Warm up (first run pays for the image's first mount and code paths), then the burst.
  const rm = runRequest('busybox', ['/bin/true'], { hostConfig: { autoRemove: true, networkMode: 'none' } });
  const once = async () => {
    const id = await h.run(rm);
    await h.wait(id, WaitContainerRequest_Condition.REMOVED).catch(() => {}); // gone already: fine
    return id;
  };
  for (let i = 0; i < 5; i++) await once();

  const ids: string[] = [];
  const cpu0 = { daemon: cpuSeconds(daemonPid), nats: cpuSeconds(natsPid) };
  const since = new Date(Date.now() - 1000);
  const t0 = now();
  const w0 = wallMs();
  await pool(N, CONC, async () => {
    ids.push(await once());
  });
  const runsMs = ms(now() - t0);
  const want = N * LIFECYCLE.length;
  const mine = () => ids.reduce((s, id) => s + (seen.get(id)?.seqs.length ?? 0), 0);
  const deadline = Date.now() + 120_000;
  while (mine() < want && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  const cpu1 = { daemon: cpuSeconds(daemonPid), nats: cpuSeconds(natsPid) };
  const totalMs = lastAt - w0;
  sock.destroy();

  // Every container: its five events, in order, each once.
  const latency = ids.flatMap((id) => seen.get(id)?.latency ?? []);
  let missing = 0;
  let duplicated = 0;
  let outOfOrder = 0;
  for (const id of ids) {
    const s = seen.get(id);
    if (!s) {
      missing += LIFECYCLE.length;
      continue;
    }
    const distinct = new Set(s.seqs);
    duplicated += s.seqs.length - distinct.size;
    missing += LIFECYCLE.length - distinct.size;
    const first = s.seqs.filter((q, i) => s.seqs.indexOf(q) === i);
    const acts = first.map((q) => s.actions[s.seqs.indexOf(q)]);
    if (first.join() !== '1,2,3,4,5' || acts.join() !== LIFECYCLE.join()) outOfOrder++;
  }
  // And the stream holds each of them once (the replay ends at now + 1 s).
  const burstIds = new Set(ids);
  const stored = (await replay(h, since, {}, 120_000)).filter((e) => burstIds.has(e.containerId));
  const storedKeys = new Set(stored.map((e) => e.id));

  // crun, the same container and concurrency, no daemon and no events.
  let crunMs: number | undefined;
  const crun = NCRUN > 0 ? crunUsable() : { ok: false, note: 'NCRUN=0' };
  if (crun.ok) {
    const bundle = crunBundle(join(h.host.base, 'crun-true'), h.host.image, ['/bin/true']);
    let k = 0;
    const crunRun = () => run('crun', ['run', '--bundle', bundle, `tdb-${process.pid}-${k++}`]);
    for (let i = 0; i < 3; i++) await crunRun();
    const c0 = now();
    await pool(NCRUN, CONC, crunRun);
    crunMs = ms(now() - c0);
  }

  const perContainer = totalMs / N;
  Object.assign(out, {
    events: want, received: mine(), missing, duplicated, outOfOrder, stored: stored.length, storedDistinct: storedKeys.size,
    runsMs, totalMs, containersPerS: N / (totalMs / 1000), eventsPerS: want / (totalMs / 1000),
    latencyMs: { p50: percentile(latency, 50), p99: percentile(latency, 99), max: Math.max(...latency) },
    cpuMsPerContainer: { daemon: ((cpu1.daemon - cpu0.daemon) * 1000) / N, nats: ((cpu1.nats - cpu0.nats) * 1000) / N },
    ...(crunMs !== undefined ? { crunMs, crunN: NCRUN, ratioVsCrun: perContainer / (crunMs / NCRUN) } : { crun: crun.note }),
  });
  const f = (x: number) => x.toFixed(2);
  console.log(`events-burst: ${N} × run --rm /bin/true, ${CONC} at a time, daemon + embedded nats-server, raw NATS subscriber`);
  console.log(`  all Runs returned            ${f(runsMs)} ms`);
  console.log(`  last event received          ${f(totalMs)} ms  (${Math.round(N / (totalMs / 1000))} containers/s, ${Math.round(want / (totalMs / 1000))} events/s)`);
  console.log(`  events                       ${mine()}/${want} received, missing ${missing}, duplicated ${duplicated}, out of order ${outOfOrder} containers; stream holds ${storedKeys.size}/${want} (${stored.length} replayed)`);
  console.log(`  transition → receipt         p50 ${f(percentile(latency, 50))} ms  p99 ${f(percentile(latency, 99))} ms  max ${f(Math.max(...latency))} ms`);
  console.log(`  CPU per container            daemon ${f(((cpu1.daemon - cpu0.daemon) * 1000) / N)} ms, nats-server ${f(((cpu1.nats - cpu0.nats) * 1000) / N)} ms`);
  if (crunMs !== undefined) console.log(`  crun run ×${NCRUN}, ${CONC} at a time ${f(crunMs)} ms  → ours per container / crun's = ${f(perContainer / (crunMs / NCRUN))}`);
  else console.log(`  crun: ${crun.note}`);
  // A core subscriber can see a publish twice (retried after a lost acknowledgement); the stream
  // cannot, so that is the "once" that fails the run.
  if (missing || outOfOrder || storedKeys.size !== want || stored.length !== want) process.exitCode = 1;
} catch (err) {
  console.error(err);
  process.exitCode = 1;
} finally {
  await h.stop();
}
console.log(JSON.stringify(out));
