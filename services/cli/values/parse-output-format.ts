// --format of ps, images, stats, inspect, info and version, as Docker's: "table" (the default
// columns), "json" (one JSON object per line), "table TEMPLATE" (a table of the template's
// columns, with headers), or a Go-style template printed once per item ("{{.ID}}\t{{.Names}}").
// As Docker, the two characters \t and \n in the text stand for a tab and a newline.

export type OutputFormat =
  | { kind: 'table' }
  | { kind: 'json' }
  | { kind: 'template'; template: string; table: boolean };

export function parseOutputFormat(value: string): OutputFormat {
  const v = value.trim();
  if (v === '' || v === 'table') return { kind: 'table' };
  if (v === 'json') return { kind: 'json' };
  const table = v.startsWith('table ');
  const template = (table ? v.slice('table '.length) : v).trim().replaceAll('\\t', '\t').replaceAll('\\n', '\n');
  return { kind: 'template', template, table };
}
