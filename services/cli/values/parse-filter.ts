// --filter KEY=VALUE of ps and images, checked against the keys the daemon knows
// (tinydocker.v1.Filter), so a typo fails here with the list of keys.
import type { Filter } from '../../../proto/gen/tinydocker/v1/containers.js';
import { InvalidValue } from './invalid-value.js';

const statuses = ['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead'];

export const containerFilterKeys = ['ancestor', 'exited', 'id', 'label', 'name', 'status'] as const;
export const imageFilterKeys = ['before', 'dangling', 'label', 'reference', 'since'] as const;

export function parseFilter(value: string, keys: readonly string[]): Filter {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidValue(`bad format of filter (expected name=value)`);
  const key = value.slice(0, eq).trim().toLowerCase();
  const v = value.slice(eq + 1);
  if (!keys.includes(key)) throw new InvalidValue(`invalid filter '${key}' (want one of ${keys.join(', ')})`);
  if (key === 'status' && !statuses.includes(v)) {
    throw new InvalidValue(`invalid filter 'status=${v}' (want one of ${statuses.join(', ')})`);
  }
  if (key === 'exited' && !/^-?\d+$/.test(v)) throw new InvalidValue(`invalid filter 'exited=${v}' (want an exit code)`);
  if (key === 'dangling' && !['true', 'false', '1', '0'].includes(v)) {
    throw new InvalidValue(`invalid filter 'dangling=${v}' (want true or false)`);
  }
  return { key, value: v };
}
