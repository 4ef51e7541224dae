// -H NAME: a host of the fleet. The daemon the CLI would otherwise talk to (TDOCKER_HOST or the
// local socket) is asked for the fleet's hosts (System.Hosts, from the bus's tdocker_hosts), and
// the CLI connects to the address that host's daemon advertises: a unix socket as it is, a tcp://
// address with mutual TLS (the same flags and TDOCKER_CERT_PATH as -H tcp://), or in the clear
// with --insecure on loopback only.
import type { HostsResponse } from '../../../proto/gen/tinydocker/v1/system.js';
import type { GlobalOptions } from '../args/global-options.js';
import { CliError } from '../cli-error.js';
import { isLoopbackHost } from '../values/parse-host.js';
import { DaemonClient } from './daemon-client.js';
import { daemonError } from './daemon-error.js';
import { daemonTargetOf, type DaemonTarget } from './daemon-target.js';
import { unaryCall } from './unary-call.js';

export async function fleetTarget(global: GlobalOptions): Promise<DaemonTarget> {
  const name = global.fleetHost!;
  const local = new DaemonClient(daemonTargetOf(global));
  let res: HostsResponse;
  try {
    res = await unaryCall<HostsResponse>((done) => local.system.hosts({}, done));
  } catch (err) {
    throw daemonError(err, `finding host ${name} in the fleet`, global.host, global.tls !== undefined);
  } finally {
    local.close();
  }
  const found = res.hosts.find((h) => h.name === name);
  if (!found) {
    const known = res.hosts.map((h) => h.name).join(', ') || 'none';
    throw new CliError(`-H ${name}`, `no such host in the fleet (hosts: ${known})`);
  }
  const address = found.grpcAddress;
  if (address.startsWith('unix://')) return { host: address, target: address };
  if (!address.startsWith('tcp://')) throw new CliError(`-H ${name}`, `the host advertises no address the CLI can reach ("${address}")`);
  const target = address.slice('tcp://'.length).replace(/\/$/, '');
  if (global.insecure) {
    if (!isLoopbackHost(address)) {
      throw new CliError('--insecure', `${name} (${address}) is not on loopback: a remote daemon is reached with mutual TLS (--tlscacert, --tlscert, --tlskey)`);
    }
    return { host: address, target };
  }
  return { host: address, target, tls: global.fleetTls! };
}
