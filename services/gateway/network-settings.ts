// A container's NetworkSettings (inspect) and published ports, from the network service.
import type { NetworkManager } from '../network/index.js';
import type { NetworkSettings, StringList } from '../../proto/gen/tinydocker/v1/containers.js';

export function networkSettings(id: string, mode: string, net: NetworkManager | undefined): NetworkSettings {
  const at = net?.endpoint(id);
  if (!at) return { ipAddress: '', networks: { [mode]: { networkId: mode, ipAddress: '', gateway: '', macAddress: '' } }, ports: {} };
  const { network: n, endpoint: ep } = at;
  const ports: Record<string, StringList> = {};
  for (const p of net!.published(id)) {
    const key = `${p.mapping.containerPort}/${p.mapping.protocol}`;
    (ports[key] ??= { values: [] }).values.push(`${p.hostIp}:${p.hostPort}`);
  }
  return {
    ipAddress: ep.ip,
    gateway: n.gateway,
    ipPrefixLen: Number(n.subnet.split('/')[1]),
    networks: { [n.name]: { networkId: n.id, ipAddress: ep.ip, gateway: n.gateway, macAddress: '' } },
    ports,
  };
}
