// Sizes as Docker's units.RAMInBytes reads them: `65536`, `64m`, `1.5g`, `512 KiB`; powers of 1024.

import { invalid } from '../errors/tdocker-error.js';

const SIZE = /^(\d+(?:\.\d+)?) ?([kKmMgGtTpP])?[iI]?[bB]?$/;
const UNITS = 'kmgtp';

export function parseByteSize(value: string, what: string): number {
  const m = SIZE.exec(value);
  if (!m) throw invalid(`invalid ${what} '${value}': expected a size such as 65536, 64m or 1g`);
  const power = m[2] ? UNITS.indexOf(m[2].toLowerCase()) + 1 : 0;
  const bytes = Math.floor(Number(m[1]) * 1024 ** power);
  if (!Number.isSafeInteger(bytes)) throw invalid(`invalid ${what} '${value}': too large`);
  return bytes;
}
