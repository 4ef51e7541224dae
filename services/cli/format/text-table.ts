// Columns aligned as Docker aligns them (Go's text/tabwriter with minwidth 10, padding 3): each
// column is as wide as its widest cell plus 3, at least 10; the last cell of a line is not padded.
// Widths count characters (code points), as tabwriter counts runes.

const width = (s: string) => [...s].length;

export function textTable(rows: readonly (readonly string[])[]): string {
  const columns = Math.max(0, ...rows.map((r) => r.length - 1));
  const widths = Array.from({ length: columns }, (_, i) =>
    Math.max(10, ...rows.filter((r) => r.length - 1 > i).map((r) => width(r[i]!) + 3)));
  return rows
    .map((r) => r.map((cell, i) => (i < r.length - 1 ? cell + ' '.repeat(widths[i]! - width(cell)) : cell)).join(''))
    .map((line) => `${line}\n`)
    .join('');
}
