// The tinydocker.v1.Containers service: each RPC is glue from the request to a supervisor command
// (or a reader of the host for logs, attach, exec, stats and top).
import { invalid } from '../errors/tdocker-error.js';
import { signalNumber } from '../supervisor/signal-number.js';
import type { WaitCondition } from '../supervisor/supervisor.js';
import {
  WaitContainerRequest_Condition,
  type ContainersServer,
} from '../../proto/gen/tinydocker/v1/containers.js';
import { attachCall } from './attach-call.js';
import { containerFilter } from './container-filters.js';
import { createContainer, startCreated } from './create-container.js';
import { inspectContainer, summarizeContainer } from './container-inspect.js';
import { execCall } from './exec-call.js';
import type { GatewayContext } from './gateway-context.js';
import { logsCall } from './logs-call.js';
import { pruneContainers } from './prune-containers.js';
import { statsCall } from './stats-call.js';
import { topCall } from './top-call.js';
import { toTimestamp } from './timestamp.js';
import { cancelSignal, unaryCall } from './unary-call.js';

const CONDITIONS: Record<number, WaitCondition> = {
  [WaitContainerRequest_Condition.NOT_RUNNING]: 'not-running',
  [WaitContainerRequest_Condition.NEXT_EXIT]: 'next-exit',
  [WaitContainerRequest_Condition.REMOVED]: 'removed',
};

function checkedSignal(signal: string): string | undefined {
  if (!signal) return undefined;
  signalNumber(signal);
  return signal;
}

export function containersService(ctx: GatewayContext): ContainersServer {
  const sup = ctx.supervisor;
  return {
    create: unaryCall((req) => createContainer(ctx, req)),
    start: unaryCall(async (req) => {
      await sup.start(req.id);
      return {};
    }),
    run: unaryCall(async (req) => {
      const created = await createContainer(ctx, req);
      await startCreated(ctx, created.id, req.hostConfig?.autoRemove ?? false);
      return created;
    }),
    stop: unaryCall(async (req) => {
      const signal = checkedSignal(req.signal);
      await sup.stop(req.id, { ...(req.timeout !== undefined ? { timeout: req.timeout } : {}), ...(signal ? { signal } : {}) });
      return {};
    }),
    kill: unaryCall(async (req) => {
      await sup.kill(req.id, checkedSignal(req.signal) ?? 'SIGKILL');
      return {};
    }),
    restart: unaryCall(async (req) => {
      const signal = checkedSignal(req.signal);
      await sup.restart(req.id, { ...(req.timeout !== undefined ? { timeout: req.timeout } : {}), ...(signal ? { signal } : {}) });
      return {};
    }),
    remove: unaryCall(async (req) => {
      await sup.remove(req.id, { force: req.force });
      return {};
    }),
    pause: unaryCall(async (req) => {
      await sup.pause(req.id);
      return {};
    }),
    unpause: unaryCall(async (req) => {
      await sup.unpause(req.id);
      return {};
    }),
    rename: unaryCall(async (req) => {
      const id = sup.get(req.id).record.id;
      await sup.rename(req.id, req.newName);
      await ctx.network?.renamed(id, sup.get(id).record.name);
      return {};
    }),
    inspect: unaryCall(async (req) => {
      const v = sup.get(req.id);
      return inspectContainer(v, { name: ctx.facts.hostName, logPath: ctx.runner.paths(v.record.id).log, network: ctx.network });
    }),
    list: unaryCall(async (req) => {
      const keep = containerFilter(req.filters);
      let views = sup.list().filter((v) => (req.all || req.limit > 0 || v.state === 'running' || v.state === 'paused' || v.state === 'restarting'));
      if (req.limit > 0) views = views.slice(0, req.limit);
      return { containers: views.filter(keep).map((v) => summarizeContainer(v, ctx.facts.hostName)) };
    }),
    wait: unaryCall(async (req, call) => {
      const condition = CONDITIONS[req.condition];
      if (!condition) throw invalid('invalid wait condition');
      const r = await sup.wait(req.id, condition, cancelSignal(call));
      return { status: { exitCode: r.exitCode, signal: r.signal ?? 0, oomKilled: r.oomKilled, error: r.error ?? '', finishedAt: toTimestamp(r.finishedAt) } };
    }),
    logs: (call) => logsCall(ctx, call),
    attach: (call) => attachCall(ctx, call),
    exec: (call) => execCall(ctx, call),
    stats: (call) => statsCall(ctx, call),
    top: unaryCall((req) => topCall(ctx, req)),
    prune: unaryCall((req) => pruneContainers(ctx, req)),
    // The image library (tar reading and writing) is loaded on the first copy.
    copyFrom: (call) => void import('./copy-call.js').then((m) => m.copyFromCall(ctx, call)),
    copyTo: (call, callback) => void import('./copy-call.js').then((m) => m.copyToCall(ctx, call, callback)),
  };
}
