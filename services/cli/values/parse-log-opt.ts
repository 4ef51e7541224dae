// --log-opt KEY=VALUE for the container's log file (json-file semantics): max-size (a human size
// in powers of 1000, as Docker's json-file driver: "10m" is 10 000 000 bytes) and max-file
// (files kept, 1 or more). Other keys are refused rather than ignored.
import type { LogConfig } from '../../../proto/gen/tinydocker/v1/containers.js';
import { InvalidValue } from './invalid-value.js';
import { parseHumanSize } from './parse-size.js';

/** Applies one --log-opt to `config`. */
export function applyLogOpt(config: LogConfig, value: string): void {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidValue(`invalid log opt '${value}' (want key=value)`);
  const key = value.slice(0, eq);
  const v = value.slice(eq + 1);
  if (key === 'max-size') {
    config.maxSize = parseHumanSize(v);
    if (config.maxSize <= 0) throw new InvalidValue('max-size must be a positive size');
  } else if (key === 'max-file') {
    if (!/^\d+$/.test(v) || Number(v) < 1) throw new InvalidValue(`max-file must be a whole number, 1 or more, not '${v}'`);
    config.maxFile = Number(v);
  } else {
    throw new InvalidValue(`unknown log opt '${key}' (want max-size or max-file)`);
  }
}
