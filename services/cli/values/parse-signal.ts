// Signals for kill -s and stop -s: a Linux signal name with or without "SIG", any case
// ("KILL", "sigterm", "SIGRTMIN+3"), or its number. Returned normalized ("SIGKILL", "9") for the
// daemon, which maps names to numbers.
import { InvalidValue } from './invalid-value.js';

const names = [
  'HUP', 'INT', 'QUIT', 'ILL', 'TRAP', 'ABRT', 'IOT', 'BUS', 'FPE', 'KILL', 'USR1', 'SEGV', 'USR2',
  'PIPE', 'ALRM', 'TERM', 'STKFLT', 'CHLD', 'CONT', 'STOP', 'TSTP', 'TTIN', 'TTOU', 'URG', 'XCPU',
  'XFSZ', 'VTALRM', 'PROF', 'WINCH', 'IO', 'POLL', 'PWR', 'SYS',
];

export function parseSignal(value: string): string {
  if (/^\d+$/.test(value)) {
    const n = Number(value);
    if (n < 1 || n > 64) throw new InvalidValue(`invalid signal: ${value}`);
    return String(n);
  }
  const name = value.toUpperCase().replace(/^SIG/, '');
  const rt = /^RTM(IN|AX)([+-]\d+)?$/.exec(name);
  if (names.includes(name) || (rt && Math.abs(Number(rt[2] ?? 0)) <= 30)) return `SIG${name}`;
  throw new InvalidValue(`invalid signal: ${value}`);
}
