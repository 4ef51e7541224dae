// --subnet of `network create`: an IPv4 CIDR ("10.231.7.0/24") whose address is the network's
// own (no host bits set), as Docker requires.
import { InvalidValue } from './invalid-value.js';
import { isIpv4 } from './parse-ip-address.js';

export function parseSubnet(value: string): string {
  const [address = '', bits = '', extra] = value.split('/');
  const prefix = Number(bits);
  if (extra !== undefined || !isIpv4(address) || !/^\d{1,2}$/.test(bits) || prefix > 32) {
    throw new InvalidValue(`invalid subnet '${value}' (want an IPv4 CIDR like 10.231.7.0/24)`);
  }
  const n = address.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const hostBits = 2 ** (32 - prefix);
  if (n % hostBits !== 0) throw new InvalidValue(`invalid subnet '${value}': the address has host bits set`);
  return value;
}
