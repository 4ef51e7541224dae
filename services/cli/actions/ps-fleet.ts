// tdocker ps --fleet: every host's containers, as each host last wrote them to the fleet's bus
// (KV tdocker_containers), with a HOST column. Filters apply here, as ps's daemon applies them.
import type { ContainerSummary } from '../../../proto/gen/tinydocker/v1/containers.js';
import type { FleetContainersResponse } from '../../../proto/gen/tinydocker/v1/system.js';
import type { PsCommand } from '../args/commands/ps.js';
import type { Action } from '../cli-context.js';
import { unaryCall } from '../client/unary-call.js';
import { psLayout, psRow } from '../format/ps-table.js';
import { formatRows } from '../format/rows-output.js';
import { containerStatusWord } from '../proto-enums.js';

const fleetLayout = { ...psLayout, table: `{{.Host}}\t${psLayout.table}` };

const RUNNING = 2;
const PAUSED = 3;
const RESTARTING = 4;

function matches(c: ContainerSummary, filters: PsCommand['request']['filters']): boolean {
  const byKey = new Map<string, string[]>();
  for (const f of filters) byKey.set(f.key, [...(byKey.get(f.key) ?? []), f.value]);
  const test: Record<string, (v: string) => boolean> = {
    id: (v) => c.id.startsWith(v),
    name: (v) => c.names.some((n) => n.includes(v.replace(/^\//, ''))),
    status: (v) => containerStatusWord[c.state] === v,
    ancestor: (v) => c.image === v || c.image === `${v}:latest` || c.imageId.startsWith(v),
    exited: (v) => containerStatusWord[c.state] === 'exited' && c.exitCode === Number(v),
    label: (v) => {
      const eq = v.indexOf('=');
      return eq < 0 ? v in c.labels : c.labels[v.slice(0, eq)] === v.slice(eq + 1);
    },
  };
  for (const [key, values] of byKey) if (!values.some((v) => test[key]?.(v) ?? true)) return false;
  return true;
}

export const psFleet: Action<PsCommand> = async (cmd, cli) => {
  const daemon = await cli.daemon();
  const res = await unaryCall<FleetContainersResponse>((done) => daemon.system.fleetContainers({}, done)).catch((err) => {
    throw cli.fail(err, 'ps --fleet');
  });
  let list = res.containers.map((f) => f.container!).filter(Boolean);
  if (!cmd.request.all) list = list.filter((c) => c.state === RUNNING || c.state === PAUSED || c.state === RESTARTING);
  list = list.filter((c) => matches(c, cmd.request.filters));
  if (cmd.request.limit > 0) {
    list = [...list].sort((a, b) => (b.created?.seconds ?? 0) - (a.created?.seconds ?? 0)).slice(0, cmd.request.limit);
  }
  if (cmd.quiet) {
    cli.stdout.write(list.map((c) => `${cmd.noTrunc ? c.id : c.id.slice(0, 12)}\n`).join(''));
    return 0;
  }
  cli.stdout.write(formatRows(cmd.format, list.map((c) => psRow(c, { noTrunc: cmd.noTrunc, nowMs: cli.now() })), fleetLayout));
  return 0;
};
