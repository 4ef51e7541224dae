// A signal as users type it (`SIGTERM`, `term`, `15`) as its Linux number; INVALID_ARGUMENT for
// anything else, so a bad signal is refused before it reaches a container.
import { constants } from 'node:os';
import { signalName } from '../../machines/signal-name.js';
import { invalid } from '../errors/tdocker-error.js';

export function signalNumber(signal: string): number {
  const text = signal.trim();
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (n >= 1 && n <= 64) return n;
  } else {
    const name = signalName(text);
    const n = (constants.signals as Record<string, number | undefined>)[`SIG${name}`];
    if (n !== undefined) return n;
    const rt = /^RTMIN(?:\+(\d+))?$/.exec(name);
    if (rt && Number(rt[1] ?? 0) <= 30) return 34 + Number(rt[1] ?? 0);
  }
  throw invalid(`invalid signal: "${signal}"`);
}
