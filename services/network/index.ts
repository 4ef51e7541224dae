// Public surface of the network service.
export { NetworkManager, DEFAULT_NETWORK, type Connected, type ConnectRequest, type NetworkEvent, type PublishedPort } from './network-manager.js';
export type { NetworkAttachment, NetworkRecord, EndpointRecord, NetworkDriver } from './network-record.js';
export type { PortMapping } from './port-proxy.js';
export { Ipam, type IpamState } from './ipam.js';
export { parseSubnet, parseIp, formatIp, formatSubnet, overlaps } from './ipv4.js';
export { DeviceNames } from './device-names.js';
