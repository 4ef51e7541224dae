// `tdocker network ls` and `network inspect` output from NetworkInspect messages, in Docker's
// columns (NETWORK ID, NAME, DRIVER, SCOPE) and inspect shape (Name, Id, IPAM.Config, ...).
import type { NetworkInspect } from '../../../proto/gen/tinydocker/v1/networks.js';
import type { OutputFormat } from '../values/parse-output-format.js';
import { formatRows, type RowsLayout } from './rows-output.js';
import { goTimeString, rfc3339Nano } from './timestamp-text.js';

export const networksLayout: RowsLayout = {
  table: '{{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}',
  headers: { ID: 'NETWORK ID', Name: 'NAME', Driver: 'DRIVER', Scope: 'SCOPE', CreatedAt: 'CREATED AT', Labels: 'LABELS', Subnet: 'SUBNET' },
};

const networkId = (id: string, noTrunc: boolean) => (noTrunc ? id : id.slice(0, 12));

export function formatNetworks(networks: readonly NetworkInspect[], opts: { quiet: boolean; noTrunc: boolean; format: OutputFormat }): string {
  if (opts.quiet) return networks.map((n) => `${networkId(n.id, opts.noTrunc)}\n`).join('');
  return formatRows(opts.format, networks.map((n) => ({
    ID: networkId(n.id, opts.noTrunc),
    Name: n.name,
    Driver: n.driver,
    Scope: n.scope || 'local',
    CreatedAt: goTimeString(n.created),
    Labels: Object.entries(n.labels).map(([k, v]) => `${k}=${v}`).join(','),
    Subnet: n.subnet,
  })), networksLayout);
}

export function networkInspectJson(n: NetworkInspect): Record<string, unknown> {
  return {
    Name: n.name,
    Id: n.id,
    Created: rfc3339Nano(n.created),
    Scope: n.scope || 'local',
    Driver: n.driver,
    EnableIPv6: false,
    IPAM: { Driver: 'default', Options: {}, Config: n.subnet ? [{ Subnet: n.subnet, Gateway: n.gateway }] : [] },
    Internal: false,
    Attachable: false,
    Containers: Object.fromEntries(Object.entries(n.containers).map(([id, e]) => [id, { Name: e.name, IPv4Address: e.ipv4Address, IPv6Address: '' }])),
    Options: n.bridge ? { 'com.docker.network.bridge.name': n.bridge } : {},
    Labels: n.labels,
  };
}
