// --tmpfs DEST[:OPTIONS], Docker's shorthand for a tmpfs mount: OPTIONS are mount options, comma
// separated: rw or ro, size=SIZE (memory units: 64m), mode=OCTAL, and exec (noexec, nosuid and
// nodev are the default, as Docker's, and may be said).
import type { Mount } from '../../../proto/gen/tinydocker/v1/containers.js';
import { mountType } from '../proto-enums.js';
import { InvalidValue } from './invalid-value.js';
import { parseRamSize } from './parse-size.js';

export function parseTmpfs(value: string): Mount {
  const colon = value.indexOf(':');
  const target = colon < 0 ? value : value.slice(0, colon);
  const options = colon < 0 ? [] : value.slice(colon + 1).split(',');
  if (!target.startsWith('/')) throw new InvalidValue(`invalid mount path '${target}': it needs to be an absolute path`);
  const m: Mount = { type: mountType.tmpfs, source: '', target, readOnly: false, bindPropagation: '', tmpfsSize: 0, tmpfsMode: 0, tmpfsExec: false };
  for (const option of options) {
    const eq = option.indexOf('=');
    const key = eq < 0 ? option : option.slice(0, eq);
    const v = option.slice(eq + 1);
    switch (eq < 0 ? key : `${key}=`) {
      case 'rw': m.readOnly = false; break;
      case 'ro': m.readOnly = true; break;
      case 'exec': m.tmpfsExec = true; break;
      case 'noexec': m.tmpfsExec = false; break;
      case 'nosuid': case 'nodev': break;
      case 'size=': m.tmpfsSize = parseRamSize(v); break;
      case 'mode=':
        if (!/^0?[0-7]{1,4}$/.test(v)) throw new InvalidValue(`invalid mode '${v}' (want octal, as 1777)`);
        m.tmpfsMode = parseInt(v, 8);
        break;
      case 'suid': case 'dev':
        throw new InvalidValue(`option '${key}' is not supported: a tmpfs is nosuid and nodev`);
      default:
        throw new InvalidValue(`unknown tmpfs option '${option}' (want rw, ro, exec, noexec, nosuid, nodev, size=, mode=)`);
    }
  }
  return m;
}
