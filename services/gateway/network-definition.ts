// The network part of a create request (Docker's NetworkMode, PortBindings, -P, --dns,
// --add-host, --ip), checked before anything is made.
import { isIP } from 'node:net';
import { invalid } from '../errors/tdocker-error.js';
import type { NetworkAttachment, PortMapping } from '../network/index.js';
import type { NetworkMode } from '../runtime/shim-config.js';
import type { ContainerConfig, HostNetworking } from '../../proto/gen/tinydocker/v1/containers.js';
import type { ImageRecord } from './image-source.js';

export interface NetworkDefaults {
  /** Whether this daemon has bridge networks; without them only none and host are accepted. */
  bridges: boolean;
  /** The network an empty mode means ("bridge", or "none"). */
  defaultMode: string;
}

export const NO_BRIDGES: NetworkDefaults = { bridges: false, defaultMode: 'none' };

export function networkDefinition(
  rawMode: string, hn: HostNetworking | undefined, config: ContainerConfig, image: ImageRecord, d: NetworkDefaults,
): { mode: string; network: NetworkMode; net?: NetworkAttachment } {
  const mode = rawMode === '' || rawMode === 'default' ? d.defaultMode : rawMode;
  const ports = portMappings(hn, config, image);
  const ip = hn?.ipAddress ?? '';
  if (mode === 'none' || mode === 'host') {
    if (ports.length) throw invalid(`published ports need a bridge network, not --network ${mode}`);
    if (ip) throw invalid(`--ip needs a user-defined network, not --network ${mode}`);
    return { mode, network: { mode } };
  }
  if (!d.bridges) throw invalid(`invalid network mode "${mode}": only none and host are supported on this daemon`);
  if (ip && isIP(ip) !== 4) throw invalid(`invalid --ip "${ip}": want an IPv4 address`);
  for (const s of hn?.dns ?? []) if (!isIP(s)) throw invalid(`invalid --dns "${s}": want an IP address`);
  const extraHosts = (hn?.extraHosts ?? []).map((h) => {
    const i = h.indexOf(':');
    const name = h.slice(0, i);
    const addr = h.slice(i + 1);
    if (i <= 0 || !isIP(addr) || /\s/.test(name)) throw invalid(`invalid --add-host "${h}": want NAME:IP`);
    return { name, ip: addr };
  });
  return {
    mode,
    network: { mode: 'none' }, // the runtime points it at the container's namespace file
    net: { network: mode, ...(ip ? { ip } : {}), ports, dns: hn?.dns ?? [], extraHosts },
  };
}

/** "80", "80/tcp", "53/udp" → port and protocol. */
export function parsePortKey(key: string): { port: number; protocol: 'tcp' | 'udp' } {
  const m = /^(\d{1,5})(?:\/(tcp|udp))?$/.exec(key);
  const port = m ? Number(m[1]) : 0;
  if (!m || port < 1 || port > 65535) throw invalid(`invalid port "${key}": want PORT[/tcp|udp] with 1-65535`);
  return { port, protocol: (m[2] ?? 'tcp') as 'tcp' | 'udp' };
}

function portMappings(hn: HostNetworking | undefined, config: ContainerConfig, image: ImageRecord): PortMapping[] {
  const out: PortMapping[] = [];
  const bound = new Set<string>();
  for (const [key, list] of Object.entries(hn?.portBindings ?? {})) {
    const { port, protocol } = parsePortKey(key);
    bound.add(`${port}/${protocol}`);
    for (const b of list.bindings.length ? list.bindings : [{ hostIp: '', hostPort: '' }]) {
      const hostPort = b.hostPort === '' ? 0 : Number(b.hostPort);
      if (!Number.isInteger(hostPort) || hostPort < 0 || hostPort > 65535) throw invalid(`invalid host port "${b.hostPort}" for ${key}`);
      if (b.hostIp && isIP(b.hostIp) !== 4) throw invalid(`invalid host IP "${b.hostIp}" for ${key}: want an IPv4 address`);
      out.push({ protocol, containerPort: port, hostIp: b.hostIp, hostPort });
    }
  }
  if (hn?.publishAllPorts) {
    const exposed = [...Object.keys(image.config.ExposedPorts ?? {}), ...(config.exposedPorts?.values ?? [])];
    for (const key of exposed) {
      const { port, protocol } = parsePortKey(key);
      if (bound.has(`${port}/${protocol}`)) continue;
      bound.add(`${port}/${protocol}`);
      out.push({ protocol, containerPort: port, hostIp: '', hostPort: 0 });
    }
  }
  return out;
}
