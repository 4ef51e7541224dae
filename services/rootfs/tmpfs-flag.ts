// `--tmpfs DST[:OPTIONS]`: OPTIONS are the mount(8) words Docker accepts there.

import { invalid } from '../errors/tdocker-error.js';
import { parseByteSize } from './byte-size.js';
import { checkDestination, type TmpfsMountSpec } from './mount-spec.js';

export function parseTmpfsFlag(spec: string): TmpfsMountSpec {
  const colon = spec.indexOf(':');
  const dst = colon < 0 ? spec : spec.slice(0, colon);
  const options = colon < 0 ? '' : spec.slice(colon + 1);
  const mount: TmpfsMountSpec = {
    type: 'tmpfs',
    destination: checkDestination(dst, 'tmpfs'),
    readonly: false,
    exec: false,
    suid: false,
    dev: false,
  };
  for (const opt of options ? options.split(',') : []) {
    const eq = opt.indexOf('=');
    const key = eq < 0 ? opt : opt.slice(0, eq);
    const value = eq < 0 ? undefined : opt.slice(eq + 1);
    if (value === undefined && ['ro', 'rw', 'exec', 'noexec', 'suid', 'nosuid', 'dev', 'nodev'].includes(key)) {
      if (key === 'ro' || key === 'rw') mount.readonly = key === 'ro';
      else if (key.endsWith('exec')) mount.exec = key === 'exec';
      else if (key.endsWith('suid')) mount.suid = key === 'suid';
      else mount.dev = key === 'dev';
    } else if (key === 'size' && value !== undefined) {
      mount.sizeBytes = parseByteSize(value, 'tmpfs size');
    } else if (key === 'mode' && value !== undefined) {
      if (!/^[0-7]{1,4}$/.test(value)) throw invalid(`invalid --tmpfs '${spec}': mode '${value}' is not an octal mode`);
      mount.mode = parseInt(value, 8);
    } else {
      throw invalid(`invalid --tmpfs '${spec}': unsupported option '${opt}' (size, mode, ro, rw, [no]exec, [no]suid, [no]dev)`);
    }
  }
  return mount;
}
