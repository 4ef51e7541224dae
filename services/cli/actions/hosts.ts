// tdocker hosts: the daemons of the fleet, from the bus's tdocker_hosts bucket.
import type { HostsResponse } from '../../../proto/gen/tinydocker/v1/system.js';
import type { HostsCommand } from '../args/commands/hosts.js';
import type { Action } from '../cli-context.js';
import { unaryCall } from '../client/unary-call.js';
import { humanDuration } from '../format/human-duration.js';
import { humanSize } from '../format/human-size.js';
import { formatRows, type RowsLayout } from '../format/rows-output.js';
import { isSet, rfc3339Nano, timestampMs } from '../format/timestamp-text.js';

export const hostsLayout: RowsLayout = {
  table: '{{.Name}}\t{{.Address}}\t{{.Version}}\t{{.CPUs}}\t{{.Memory}}\t{{.Running}}\t{{.Heartbeat}}',
  headers: {
    Name: 'HOST', Address: 'ADDRESS', Version: 'VERSION', CPUs: 'CPUS', Memory: 'MEMORY', Running: 'RUNNING',
    Heartbeat: 'LAST HEARTBEAT', StartedAt: 'STARTED AT', LastHeartbeat: 'LAST HEARTBEAT AT', Capacity: 'CAPACITY',
  },
};

export const hosts: Action<HostsCommand> = async (cmd, cli) => {
  const daemon = await cli.daemon();
  const res = await unaryCall<HostsResponse>((done) => daemon.system.hosts({}, done)).catch((err) => {
    throw cli.fail(err, 'hosts');
  });
  if (cmd.quiet) {
    cli.stdout.write(res.hosts.map((h) => `${h.name}\n`).join(''));
    return 0;
  }
  const now = cli.now();
  const rows = res.hosts.map((h) => {
    let capacity: { cpus?: number; memory?: number } = {};
    try {
      capacity = h.capacity ? (JSON.parse(h.capacity) as typeof capacity) : {};
    } catch { /* not JSON */ }
    return {
      Name: h.name,
      Address: h.grpcAddress,
      Version: h.version,
      CPUs: capacity.cpus !== undefined ? String(capacity.cpus) : '',
      Memory: capacity.memory !== undefined ? humanSize(capacity.memory) : '',
      Running: String(h.running),
      Heartbeat: isSet(h.lastHeartbeat) ? `${humanDuration(Math.max(0, now - timestampMs(h.lastHeartbeat)))} ago` : '',
      StartedAt: isSet(h.startedAt) ? rfc3339Nano(h.startedAt) : '',
      LastHeartbeat: isSet(h.lastHeartbeat) ? rfc3339Nano(h.lastHeartbeat) : '',
      Capacity: h.capacity,
    };
  });
  cli.stdout.write(formatRows(cmd.format, rows, hostsLayout));
  return 0;
};
