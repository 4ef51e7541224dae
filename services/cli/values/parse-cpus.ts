// --cpus: a decimal number of CPUs to nano-CPUs (1.5 → 1 500 000 000), as Docker's ParseCPUs.
// 0 means no limit; more CPUs than the host has is the daemon's to refuse (the CLI may be remote).
import { InvalidValue } from './invalid-value.js';

export function parseCpus(value: string): number {
  const m = /^(\d*)(?:\.(\d*))?$/.exec(value);
  if (!m || (m[1] === '' && !m[2])) {
    if (/^-\d*\.?\d*$/.test(value)) throw new InvalidValue('must be a number of CPUs, 0 or more');
    throw new InvalidValue(`not a number: '${value}'`);
  }
  const frac = m[2] ?? '';
  if (frac.replace(/0+$/, '').length > 9) throw new InvalidValue('value is too precise');
  const nano = Number(m[1] || '0') * 1e9 + Number(frac.padEnd(9, '0').slice(0, 9) || '0');
  if (!Number.isSafeInteger(nano)) throw new InvalidValue(`out of range: '${value}'`);
  return nano;
}
