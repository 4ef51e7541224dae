// What the daemon keeps of one network, persisted as `<root>/networks/<id>.json`.
import type { IpamState } from './ipam.js';
import type { PortMapping } from './port-proxy.js';

export type NetworkDriver = 'bridge' | 'host' | 'none';

/** One container on a network. */
export interface EndpointRecord {
  containerId: string;
  /** The container's name, by which its peers reach it. */
  name: string;
  hostname: string;
  ip: string;
  /** The host side of the veth pair. */
  hostDevice: string;
  /** The container folder, where its hosts file lives. */
  containerDir: string;
  extraHosts: { name: string; ip: string }[];
  /** True while its namespace and veth exist (between mount and unmount). */
  up: boolean;
  /** The ports as bound while up (a port asked as 0 gets a real one): a restarted daemon binds these. */
  published?: PortMapping[];
}

export interface NetworkRecord {
  version: 1;
  /** 64 hex characters. */
  id: string;
  name: string;
  driver: NetworkDriver;
  /** CIDR; empty for host and none. */
  subnet: string;
  gateway: string;
  /** The bridge device on the host; empty for host and none. */
  bridge: string;
  created: string;
  labels: Record<string, string>;
  ipam: IpamState;
  endpoints: Record<string, EndpointRecord>;
}

/** How a container asks to be on a network (part of its spec, so it survives restarts). */
export interface NetworkAttachment {
  /** Network name or id; "bridge" is the default network. */
  network: string;
  /** `--ip`. */
  ip?: string;
  ports: PortMapping[];
  /** `--dns`. */
  dns: string[];
  /** `--add-host NAME:IP`. */
  extraHosts: { name: string; ip: string }[];
}
