// --env-file contents, as Docker reads them: one KEY=value per line, taken verbatim (no quotes,
// no expansion); blank lines and lines starting with "#" are skipped; a bare KEY takes the CLI's
// own value and is dropped when it has none. A key with whitespace is an error.
import { InvalidValue } from './invalid-value.js';
import type { EnvLookup } from './parse-env.js';

export function parseEnvFile(text: string, lookup: EnvLookup): string[] {
  const out: string[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, n) => {
    const line = raw.replace(/^\s+/, '');
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    const key = eq < 0 ? line.trimEnd() : line.slice(0, eq);
    if (key === '') throw new InvalidValue(`line ${n + 1}: no variable name`);
    if (/\s/.test(key)) throw new InvalidValue(`line ${n + 1}: variable '${key}' contains whitespaces`);
    if (eq >= 0) {
      out.push(`${key}=${line.slice(eq + 1)}`);
      return;
    }
    const v = lookup(key);
    if (v !== undefined) out.push(`${key}=${v}`);
  });
  return out;
}
