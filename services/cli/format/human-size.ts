// Sizes as Docker prints them (go-units): humanSize in powers of 1000 with 3 significant digits
// for images and I/O ("4.1kB", "1.23MB", "0B"), bytesSize in powers of 1024 with 4 for memory
// ("1.465MiB", "7.667GiB"). Both follow Go's %g: trailing zeros dropped, exponent form when the
// number has more integer digits than the precision ("1e+03kB", as Docker shows 999999 bytes).

const decimalUnits = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
const binaryUnits = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];

/** Go's fmt %.{precision}g. */
export function formatG(x: number, precision: number): string {
  if (x === 0) return '0';
  const [mantissa = '', expText = '0'] = x.toExponential(precision - 1).split('e');
  const exp = Number(expText);
  const trim = (s: string) => (s.includes('.') ? s.replace(/\.?0+$/, '') : s);
  if (exp < -4 || exp >= precision) {
    return `${trim(mantissa)}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return trim(x.toFixed(Math.max(0, precision - 1 - exp)));
}

const custom = (size: number, base: number, units: readonly string[], precision: number): string => {
  let i = 0;
  while (size >= base && i < units.length - 1) {
    size /= base;
    i++;
  }
  return `${formatG(size, precision)}${units[i]}`;
};

export const humanSize = (bytes: number, precision = 3): string => custom(bytes, 1000, decimalUnits, precision);

export const bytesSize = (bytes: number): string => custom(bytes, 1024, binaryUnits, 4);
