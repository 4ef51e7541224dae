// IP addresses as the network flags take them (--ip, --dns, --add-host, -p's host address):
// dotted IPv4, or IPv6 in its usual forms (checked for shape, not for meaning).

const ipv4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export const isIpv4 = (v: string): boolean => ipv4.test(v);

export function isIpv6(v: string): boolean {
  if (!/^[0-9a-fA-F:.]+$/.test(v) || !v.includes(':')) return false;
  const halves = v.split('::');
  if (halves.length > 2) return false;
  const groups = halves.flatMap((h) => (h === '' ? [] : h.split(':')));
  const last = groups.at(-1) ?? '';
  const withV4 = isIpv4(last);
  const hex = withV4 ? groups.slice(0, -1) : groups;
  if (!hex.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return false;
  const count = hex.length + (withV4 ? 2 : 0);
  return halves.length === 2 ? count < 8 : count === 8;
}

export const isIpAddress = (v: string): boolean => isIpv4(v) || isIpv6(v);
