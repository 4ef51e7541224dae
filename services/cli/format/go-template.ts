// The part of Go's text/template that Docker users put in --format: `{{.Field.Path}}`, `{{.}}`,
// string and number literals, pipelines (`{{.Names | upper}}`), `{{- ` / ` -}}` trimming, and
// Docker's functions json, join, split, upper, lower, title, index, truncate, len.
// Control structures (if, range, with, ...) are refused with a clear error instead of being
// half-supported. Values print as Go's %v would: lists as [a b], maps as map[k:v].

export class TemplateError extends Error {
  override name = 'TemplateError';
}

type Fn = (...args: unknown[]) => unknown;

const str = (v: unknown): string => (typeof v === 'string' ? v : printValue(v));

const functions: Record<string, Fn> = {
  json: (v) => JSON.stringify(v ?? null),
  join: (list, sep) => (Array.isArray(list) ? list.map(str).join(str(sep)) : str(list)),
  split: (s, sep) => str(s).split(str(sep)),
  upper: (s) => str(s).toUpperCase(),
  lower: (s) => str(s).toLowerCase(),
  title: (s) => str(s).replace(/(^|\s)(\S)/g, (_, a: string, b: string) => a + b.toUpperCase()),
  index: (v, ...keys) => keys.reduce<unknown>((acc, k) => (acc as Record<string, unknown> | undefined)?.[str(k)], v),
  truncate: (s, n) => [...str(s)].slice(0, Number(n)).join(''),
  len: (v) => (Array.isArray(v) || typeof v === 'string' ? v.length : v && typeof v === 'object' ? Object.keys(v).length : 0),
};

const keywords = new Set(['if', 'else', 'end', 'range', 'with', 'define', 'template', 'block', 'break', 'continue']);

export function printValue(v: unknown): string {
  if (v === undefined || v === null) return '<no value>';
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return `[${v.map(printValue).join(' ')}]`;
  if (typeof v === 'object') {
    const entries = Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `map[${entries.map(([k, x]) => `${k}:${printValue(x)}`).join(' ')}]`;
  }
  return String(v);
}

const argPattern = /"(?:[^"\\]|\\.)*"|\||[^\s|]+/g;

function evalArg(token: string, data: unknown): unknown {
  if (token === '.') return data;
  if (token.startsWith('.')) {
    return token.slice(1).split('.').reduce<unknown>((acc, key) => {
      if (key === '') throw new TemplateError(`bad field path '${token}'`);
      return acc !== null && typeof acc === 'object' ? (acc as Record<string, unknown>)[key] : undefined;
    }, data);
  }
  if (token.startsWith('"')) return JSON.parse(token) as string;
  if (/^-?\d+(\.\d+)?$/.test(token)) return Number(token);
  throw new TemplateError(`unexpected '${token}' (want .Field, a function or a literal)`);
}

type Action = (data: unknown) => unknown;

function compileAction(source: string): Action {
  const tokens = source.match(argPattern) ?? [];
  if (tokens.length === 0) throw new TemplateError('empty action {{}}');
  const commands: string[][] = [[]];
  for (const t of tokens) {
    if (t === '|') commands.push([]);
    else commands.at(-1)!.push(t);
  }
  const steps = commands.map((cmd, i): ((data: unknown, piped: unknown[]) => unknown) => {
    const [head = '', ...rest] = cmd;
    if (head === '') throw new TemplateError(`missing command in '${source}'`);
    if (keywords.has(head)) throw new TemplateError(`'${head}' is not supported in --format`);
    const fn = /^[a-zA-Z_]\w*$/.test(head) ? functions[head] : undefined;
    if (/^[a-zA-Z_]\w*$/.test(head) && !fn) throw new TemplateError(`function "${head}" not defined`);
    if (!fn) {
      if (rest.length > 0 || i > 0) throw new TemplateError(`can't give arguments to non-function ${head}`);
      return (data) => evalArg(head, data);
    }
    return (data, piped) => fn(...rest.map((a) => evalArg(a, data)), ...piped);
  });
  return (data) => steps.reduce<unknown[]>((piped, step) => [step(data, piped)], []).at(0);
}

/** Compiles once; the result renders one item. Throws TemplateError on a malformed template. */
export function compileTemplate(template: string): (data: unknown) => string {
  const parts: (string | Action)[] = [];
  let last = 0;
  let trimNext = false;
  for (const m of template.matchAll(/\{\{(- )?([\s\S]*?)( -)?\}\}/g)) {
    let text = template.slice(last, m.index);
    if (trimNext) text = text.trimStart();
    if (m[1]) text = text.trimEnd();
    parts.push(text, compileAction(m[2]!.trim()));
    trimNext = Boolean(m[3]);
    last = m.index + m[0].length;
  }
  const tail = template.slice(last);
  if (tail.includes('{{')) throw new TemplateError('unclosed action');
  parts.push(trimNext ? tail.trimStart() : tail);
  return (data) => parts.map((p) => (typeof p === 'string' ? p : printValue(p(data)))).join('');
}
