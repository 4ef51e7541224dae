// Lists (ps, images, stats) printed the way Docker's formatter prints them: the table format is a
// template whose tab-separated cells are aligned, with a header row rendered from the same
// template over the column names; json prints each row as one JSON object per line; a plain
// template prints once per row.
import type { OutputFormat } from '../values/parse-output-format.js';
import { compileTemplate } from './go-template.js';
import { textTable } from './text-table.js';

export interface RowsLayout {
  /** The template of the default table ("{{.ID}}\t{{.Image}}\t..."). */
  table: string;
  /** Column title of each field ({ ID: 'CONTAINER ID', ... }). */
  headers: Readonly<Record<string, string>>;
}

const sortedJson = (row: Record<string, unknown>): string =>
  JSON.stringify(Object.fromEntries(Object.entries(row).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));

export function formatRows(format: OutputFormat, rows: readonly Record<string, unknown>[], layout: RowsLayout): string {
  if (format.kind === 'json') return rows.map((r) => `${sortedJson(r)}\n`).join('');
  const template = format.kind === 'table' ? layout.table : format.template;
  const table = format.kind === 'table' || format.table;
  const render = compileTemplate(template);
  if (!table) return rows.map((r) => `${render(r)}\n`).join('');
  const lines = [render(layout.headers), ...rows.map(render)];
  return textTable(lines.map((l) => l.split('\t')));
}
