// --detach-keys: a comma list of keys, each a single character or "ctrl-<x>" with x one of a-z,
// @, [, \, ], ^, _ (Docker's form). Returned as the bytes a terminal sends for them.
import { InvalidValue } from './invalid-value.js';

export function parseDetachKeys(value: string): number[] {
  return value.split(',').map((key) => {
    const ctrl = /^ctrl-([a-z@[\\\]^_])$/i.exec(key);
    if (ctrl) return ctrl[1]!.toUpperCase().charCodeAt(0) & 0x1f;
    if (key.length === 1) return key.charCodeAt(0);
    throw new InvalidValue(`invalid detach key '${key}' (want a character or ctrl-<value>)`);
  });
}
