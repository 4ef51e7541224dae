// --cpuset-cpus: a cpuset list as the kernel takes it ("0-3", "0,2", "1,3-5"), checked so the
// daemon never writes a malformed cpuset.cpus.
import { InvalidValue } from './invalid-value.js';

export function parseCpuset(value: string): string {
  const parts = value.split(',');
  for (const p of parts) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(p);
    if (!m || (m[2] !== undefined && Number(m[2]) < Number(m[1]))) {
      throw new InvalidValue(`invalid cpuset: '${value}' (want a list like 0-3 or 0,2)`);
    }
  }
  return value;
}
