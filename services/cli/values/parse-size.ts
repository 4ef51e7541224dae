// Sizes as Docker's go-units reads them: a number (decimals allowed), an optional space, an
// optional unit k, m, g, t or p, an optional "i" and an optional "b", any case ("64m", "1.5G",
// "512KiB", "100"). Memory limits count in powers of 1024 (RAMInBytes); log sizes in powers of
// 1000 (FromHumanSize).
import { InvalidValue } from './invalid-value.js';

const sizePattern = /^(\d+(?:\.\d+)*) ?([kmgtp])?i?b?$/i;
const exponents: Record<string, number> = { k: 1, m: 2, g: 3, t: 4, p: 5 };

const parse = (value: string, base: number): number => {
  const m = sizePattern.exec(value);
  const n = m ? Number(m[1]) : NaN;
  if (!m || !Number.isFinite(n)) throw new InvalidValue(`invalid size: '${value}'`);
  const bytes = Math.trunc(n * base ** (m[2] ? exponents[m[2].toLowerCase()]! : 0));
  if (!Number.isSafeInteger(bytes)) throw new InvalidValue(`invalid size: '${value}': too large`);
  return bytes;
};

/** Bytes of a memory size: "64m" is 64 MiB. */
export const parseRamSize = (value: string): number => parse(value, 1024);

/** Bytes of a human size: "10m" is 10 000 000 (Docker's log max-size). */
export const parseHumanSize = (value: string): number => parse(value, 1000);
