// -l / --label entries: "key=value", or "key" for an empty value.
import { InvalidValue } from './invalid-value.js';

export function parseLabel(value: string): [string, string] {
  const eq = value.indexOf('=');
  const key = eq < 0 ? value : value.slice(0, eq);
  if (key.trim() === '') throw new InvalidValue(`invalid label: '${value}'`);
  return [key, eq < 0 ? '' : value.slice(eq + 1)];
}
