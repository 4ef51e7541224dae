// Docker's size strings (-m 32m, --memory-swap 1g): b, k, m, g, t, p as powers of 1024, with an
// optional trailing "b" or "ib" (32mb, 32MiB); a bare number is bytes.
import { invalid } from '../errors/tdocker-error.js';

const UNITS: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };
const SIZE = /^(\d+(?:\.\d+)?) ?([bkmgtp])?(?:i?b)?$/i;

export function parseBytes(text: string): number {
  const m = SIZE.exec(text.trim());
  const bytes = m ? Math.floor(Number(m[1]) * UNITS[(m[2] ?? 'b').toLowerCase()]) : NaN;
  if (!Number.isSafeInteger(bytes)) throw invalid(`invalid size: '${text}'`);
  return bytes;
}
