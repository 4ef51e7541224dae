// --add-host NAME:IP (or NAME=IP), an /etc/hosts entry; IP may be IPv6 ("db:fd00::2") or Docker's
// "host-gateway". Returned as "NAME:IP" for HostNetworking.extra_hosts.
import { InvalidValue } from './invalid-value.js';
import { isIpAddress } from './parse-ip-address.js';

export function parseExtraHost(value: string): string {
  const sep = /[:=]/.exec(value);
  const name = sep ? value.slice(0, sep.index) : '';
  const ip = sep ? value.slice(sep.index + 1).replace(/^\[(.*)\]$/, '$1') : '';
  if (!/^[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?$/.test(name)) throw new InvalidValue(`invalid host name in '${value}' (want NAME:IP)`);
  if (ip !== 'host-gateway' && !isIpAddress(ip)) throw new InvalidValue(`invalid IP address in '${value}' (want NAME:IP)`);
  return `${name}:${ip}`;
}
