// Signals as users type them (`SIGKILL`, `kill`, `9`), reduced to one spelling so the machine can
// tell whether a signal is SIGKILL or the container's stop signal. Linux numbering.

const NAMES = [
  'HUP', 'INT', 'QUIT', 'ILL', 'TRAP', 'ABRT', 'BUS', 'FPE', 'KILL', 'USR1', 'USR2', 'SEGV', 'PIPE', 'ALRM',
  'TERM', 'STKFLT', 'CHLD', 'CONT', 'STOP', 'TSTP', 'TTIN', 'TTOU', 'URG', 'XCPU', 'XFSZ', 'VTALRM', 'PROF',
  'WINCH', 'IO', 'PWR', 'SYS',
];

/** `SIGTERM`, `term` and `15` all become `TERM`; anything unknown is returned upper-cased. */
export function signalName(signal: string): string {
  const s = signal.trim().toUpperCase();
  if (/^\d+$/.test(s)) return NAMES[Number(s) - 1] ?? s;
  return s.startsWith('SIG') ? s.slice(3) : s;
}

export function sameSignal(a: string, b: string): boolean {
  return signalName(a) === signalName(b);
}

export function isSigkill(signal: string): boolean {
  return signalName(signal) === 'KILL';
}
