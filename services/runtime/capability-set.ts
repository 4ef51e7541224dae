// A container's capabilities from Docker's --cap-add and --cap-drop (moby's TweakCapabilities):
// the default 14 less the drops plus the adds; ALL among the adds is every capability, less the
// drops; ALL among the drops is only the adds. Names are normalized as Docker does ("net_admin",
// "CAP_NET_ADMIN"). Every capability is checked against what the daemon holds: the init can keep
// only what its bounding set has (this host, say, withholds CAP_SYS_RESOURCE), so asking for more
// is refused at create rather than failing every start.
import { readFileSync } from 'node:fs';
import { invalid } from '../errors/tdocker-error.js';

/** Docker's default 14 capabilities: CapEff 00000000a80425fb. */
export const DEFAULT_CAPS = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW',
  'CAP_SETGID', 'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];

/** Every capability by its number (linux/capability.h), as native/caps.c knows them. */
export const CAPABILITIES = [
  'CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'KILL', 'SETGID',
  'SETUID', 'SETPCAP', 'LINUX_IMMUTABLE', 'NET_BIND_SERVICE', 'NET_BROADCAST',
  'NET_ADMIN', 'NET_RAW', 'IPC_LOCK', 'IPC_OWNER', 'SYS_MODULE', 'SYS_RAWIO',
  'SYS_CHROOT', 'SYS_PTRACE', 'SYS_PACCT', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_NICE',
  'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'MKNOD', 'LEASE', 'AUDIT_WRITE',
  'AUDIT_CONTROL', 'SETFCAP', 'MAC_OVERRIDE', 'MAC_ADMIN', 'SYSLOG', 'WAKE_ALARM',
  'BLOCK_SUSPEND', 'AUDIT_READ', 'PERFMON', 'BPF', 'CHECKPOINT_RESTORE',
].map((n) => `CAP_${n}`);

/** The capabilities in a `CapBnd:`-style hex mask of /proc/<pid>/status, in number order. */
export function capabilitiesOfMask(hex: string): string[] {
  const mask = BigInt(`0x${hex}`);
  return CAPABILITIES.filter((_, i) => (mask >> BigInt(i)) & 1n);
}

let held: string[] | undefined;

/** What this process's bounding set has: all a container started by it can keep. */
export function heldCapabilities(): string[] {
  if (held) return held;
  const line = /^CapBnd:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return (held = line ? capabilitiesOfMask(line[1]!) : CAPABILITIES);
}

/**
 * The capability set of a container: `held` is what the daemon can give (heldCapabilities(), read
 * once). Without adds or drops it is Docker's default, as given.
 */
export function capabilitySet(add: readonly string[], drop: readonly string[], held: readonly string[] = heldCapabilities()): string[] {
  if (add.length === 0 && drop.length === 0) return DEFAULT_CAPS;
  const adds = add.map(normalized);
  const drops = drop.map(normalized);
  let caps: string[];
  if (adds.includes('ALL')) caps = held.filter((c) => !drops.includes(c));
  else if (drops.includes('ALL')) caps = adds;
  else caps = [...DEFAULT_CAPS.filter((c) => !drops.includes(c)), ...adds];
  const out = [...new Set(caps)];
  const missing = out.filter((c) => !held.includes(c));
  if (missing.length) throw invalid(`cannot add ${missing.join(', ')}: the daemon does not hold ${missing.length > 1 ? 'them' : 'it'} (its bounding set), so no container it starts can`);
  return out;
}

function normalized(name: string): string {
  const upper = name.trim().toUpperCase();
  if (upper === 'ALL') return upper;
  const cap = upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
  if (!CAPABILITIES.includes(cap)) throw invalid(`unknown capability: "${name}"`);
  return cap;
}
