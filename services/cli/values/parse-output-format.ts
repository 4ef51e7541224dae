// --format of ps, images, stats, inspect, info and version, as Docker's: "table" (the default
// columns), "json" (one JSON object per line), "table TEMPLATE" (a table of the template's
// columns, with headers), or a Go-style template printed once per item ("{{.ID}}\t{{.Names}}").
// As Docker, the two characters \t and \n in the text stand for a tab and a newline. Templates
// are compiled here, so a malformed one fails as a flag error before anything is asked of the daemon.
import { compileTemplate, TemplateError } from '../format/go-template.js';
import { InvalidValue } from './invalid-value.js';

export type OutputFormat =
  | { kind: 'table' }
  | { kind: 'json' }
  | { kind: 'template'; template: string; table: boolean };

export function parseOutputFormat(value: string): OutputFormat {
  const v = value.trim();
  if (v === '' || v === 'table') return { kind: 'table' };
  if (v === 'json') return { kind: 'json' };
  const table = v.startsWith('table ');
  const template = parseTemplate(table ? v.slice('table '.length) : v);
  return { kind: 'template', template, table };
}

/** A --format template with \t and \n resolved, checked to compile. */
export function parseTemplate(value: string): string {
  const template = value.trim().replaceAll('\\t', '\t').replaceAll('\\n', '\n');
  try {
    compileTemplate(template);
  } catch (err) {
    if (err instanceof TemplateError) throw new InvalidValue(`template: ${err.message}`);
    throw err;
  }
  return template;
}
