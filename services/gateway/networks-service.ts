// The Networks service: create, list, inspect and remove networks (services/network).
import { TdockerError } from '../errors/tdocker-error.js';
import type { NetworkManager, NetworkRecord } from '../network/index.js';
import type { NetworkInspect, NetworksServer } from '../../proto/gen/tinydocker/v1/networks.js';
import type { GatewayContext } from './gateway-context.js';
import { toTimestamp } from './timestamp.js';
import { unaryCall } from './unary-call.js';

function managerOf(ctx: GatewayContext): NetworkManager {
  if (!ctx.network) throw new TdockerError('UNAVAILABLE', 'networks are not available in this daemon');
  return ctx.network;
}

export function networkInspect(n: NetworkRecord): NetworkInspect {
  const prefix = n.subnet.split('/')[1];
  return {
    id: n.id, name: n.name, driver: n.driver, scope: 'local', created: toTimestamp(n.created),
    subnet: n.subnet, gateway: n.gateway, bridge: n.bridge, labels: n.labels,
    containers: Object.fromEntries(Object.values(n.endpoints).map((e) => [e.containerId, { name: e.name, ipv4Address: `${e.ip}/${prefix}`, active: e.up }])),
  };
}

export function networksService(ctx: GatewayContext): NetworksServer {
  return {
    create: unaryCall(async (req) => {
      const n = await managerOf(ctx).create({ name: req.name, driver: req.driver, subnet: req.subnet, gateway: req.gateway, labels: req.labels });
      return { id: n.id, warnings: [] };
    }),
    list: unaryCall(async () => ({ networks: managerOf(ctx).list().map(networkInspect) })),
    inspect: unaryCall(async (req) => networkInspect(managerOf(ctx).get(req.ref))),
    remove: unaryCall(async (req) => ({ id: (await managerOf(ctx).remove(req.ref)).id })),
  };
}
