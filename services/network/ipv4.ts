// IPv4 addresses and CIDR subnets as numbers: parsing, containment and overlap.
import { invalid } from '../errors/tdocker-error.js';

export interface Subnet {
  /** Network address as an unsigned 32-bit number. */
  base: number;
  prefix: number;
}

export function parseIp(text: string): number {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) {
    throw invalid(`invalid IPv4 address "${text}"`);
  }
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

export function formatIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

const maskOf = (prefix: number) => (prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0);

/** "10.1.2.0/24"; host bits set ("10.1.2.3/24") are refused, as Docker does. */
export function parseSubnet(text: string): Subnet {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(text);
  if (!m || Number(m[2]) > 32) throw invalid(`invalid subnet "${text}": want CIDR notation such as 10.231.5.0/24`);
  const ip = parseIp(m[1]!);
  const prefix = Number(m[2]);
  const base = (ip & maskOf(prefix)) >>> 0;
  if (base !== ip) throw invalid(`invalid subnet "${text}": host bits are set (did you mean ${formatIp(base)}/${prefix}?)`);
  return { base, prefix };
}

export const formatSubnet = (s: Subnet) => `${formatIp(s.base)}/${s.prefix}`;
export const subnetSize = (s: Subnet) => 2 ** (32 - s.prefix);
export const broadcastOf = (s: Subnet) => s.base + subnetSize(s) - 1;

export function contains(s: Subnet, ip: number): boolean {
  return ip >= s.base && ip <= broadcastOf(s);
}

export function overlaps(a: Subnet, b: Subnet): boolean {
  return a.base <= broadcastOf(b) && b.base <= broadcastOf(a);
}
