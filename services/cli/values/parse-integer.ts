// Whole numbers for int flags (--pids-limit, --cpu-shares, -t): decimal digits with an optional
// sign, nothing else ("10", "-1"; not "1e3", "0x10" or "").
import { InvalidValue } from './invalid-value.js';

export function parseInteger(value: string, range: { min?: number; max?: number } = {}): number {
  if (!/^[-+]?\d+$/.test(value)) throw new InvalidValue(`not an integer: '${value}'`);
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new InvalidValue(`out of range: '${value}'`);
  if (range.min !== undefined && n < range.min) throw new InvalidValue(`must be at least ${range.min}`);
  if (range.max !== undefined && n > range.max) throw new InvalidValue(`must be at most ${range.max}`);
  return n;
}
