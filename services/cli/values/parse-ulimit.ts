// --ulimit NAME=SOFT[:HARD] (HARD defaults to SOFT; -1 is unlimited), names as Docker's.
// Whether the host lets the container raise a hard limit is the daemon's to check.
import type { Ulimit } from '../../../proto/gen/tinydocker/v1/containers.js';
import { InvalidValue } from './invalid-value.js';

const names = new Set([
  'core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc',
  'rss', 'rtprio', 'rttime', 'sigpending', 'stack',
]);

export function parseUlimit(value: string): Ulimit {
  const m = /^([a-z]+)=(-?\d+)(?::(-?\d+))?$/.exec(value);
  if (!m) throw new InvalidValue(`invalid ulimit: '${value}' (want name=soft[:hard])`);
  const [, name = '', soft = '', hard = soft] = m;
  if (!names.has(name)) throw new InvalidValue(`invalid ulimit type: ${name}`);
  const s = Number(soft);
  const h = Number(hard);
  if (s < -1 || h < -1) throw new InvalidValue('ulimit values must be -1 (unlimited) or more');
  if (h !== -1 && (s === -1 || s > h)) {
    throw new InvalidValue(`ulimit soft limit must be less than or equal to hard limit: ${soft} > ${hard}`);
  }
  return { name, soft: s, hard: h };
}
