// Docker's formatter.Ellipsis: cut to `max` characters, the last one "…".

export function ellipsis(s: string, max: number): string {
  const chars = [...s];
  if (max <= 0) return '';
  if (chars.length <= max) return s;
  if (max === 1) return chars[0]!;
  return chars.slice(0, max - 1).join('') + '…';
}
