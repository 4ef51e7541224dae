// -p / --publish and --expose, as Docker's nat.ParsePortSpec reads them:
//   -p [IP:][HOSTPORT:]CONTAINERPORT[/PROTO]  (IP may be [IPv6]; HOSTPORT empty or absent: any
//   free port; ranges "8000-8001:80-81" pair up port by port; a host range with one container
//   port lets the daemon pick within it)
//   --expose PORT[-PORT][/PROTO]
// PROTO is tcp (the default), udp or sctp. Ports are keyed "80/tcp", as HostNetworking wants them.
import type { PortBinding } from '../../../proto/gen/tinydocker/v1/containers.js';
import { InvalidValue } from './invalid-value.js';
import { isIpAddress, isIpv6 } from './parse-ip-address.js';

const protocols = ['tcp', 'udp', 'sctp'];

interface PortRange {
  start: number;
  end: number;
}

function portRange(text: string, what: string): PortRange {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text);
  const start = Number(m?.[1]);
  const end = m?.[2] === undefined ? start : Number(m[2]);
  if (!m || start < 1 || end > 65535 || end < start) throw new InvalidValue(`invalid ${what} '${text}' (want a port from 1 to 65535, or a range like 8000-8010)`);
  return { start, end };
}

function splitProtocol(value: string): [string, string] {
  const slash = value.lastIndexOf('/');
  if (slash < 0) return [value, 'tcp'];
  const proto = value.slice(slash + 1).toLowerCase();
  if (!protocols.includes(proto)) throw new InvalidValue(`invalid protocol '${value.slice(slash + 1)}' (want tcp, udp or sctp)`);
  return [value.slice(0, slash), proto];
}

/** --expose: the "port/proto" keys it names. */
export function parseExpose(value: string): string[] {
  const [ports, proto] = splitProtocol(value);
  const { start, end } = portRange(ports, 'port');
  return Array.from({ length: end - start + 1 }, (_, i) => `${start + i}/${proto}`);
}

/** -p: each container port ("80/tcp") with the host binding it asks for. */
export function parsePublish(value: string): { port: string; binding: PortBinding }[] {
  const [spec, proto] = splitProtocol(value);
  let hostIp = '';
  let rest = spec;
  const bracketed = /^\[([^\]]+)\]:(.*)$/.exec(spec);
  if (bracketed) {
    if (!isIpv6(bracketed[1]!)) throw new InvalidValue(`invalid IP address '${bracketed[1]}'`);
    hostIp = bracketed[1]!;
    rest = bracketed[2]!;
  }
  const parts = rest.split(':');
  if (!bracketed && parts.length === 3) hostIp = parts.shift()!;
  else if (parts.length > 2 || (bracketed && parts.length !== 2)) throw new InvalidValue(`invalid port specification '${value}' (want [IP:][HOSTPORT:]CONTAINERPORT[/PROTO])`);
  if (hostIp !== '' && !isIpAddress(hostIp)) throw new InvalidValue(`invalid IP address '${hostIp}'`);
  const [hostText = '', containerText = ''] = parts.length === 2 ? parts : ['', parts[0]];
  if (containerText === '') throw new InvalidValue(`no container port in '${value}'`);
  const container = portRange(containerText, 'container port');
  const host = hostText === '' ? undefined : portRange(hostText, 'host port');
  const count = container.end - container.start + 1;
  if (host && count > 1 && host.end - host.start + 1 !== count) {
    throw new InvalidValue(`invalid port range '${value}': the host and container ranges differ in size`);
  }
  return Array.from({ length: count }, (_, i) => {
    let hostPort = '';
    if (host && count > 1) hostPort = String(host.start + i);
    else if (host) hostPort = host.start === host.end ? String(host.start) : `${host.start}-${host.end}`;
    return { port: `${container.start + i}/${proto}`, binding: { hostIp, hostPort } };
  });
}
