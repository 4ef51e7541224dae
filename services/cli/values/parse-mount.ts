// --mount: comma-separated key=value fields as Docker's: type=bind|tmpfs|volume (default volume),
// source|src, target|destination|dst, readonly|ro[=true|false], bind-propagation, tmpfs-size,
// tmpfs-mode (octal). Checks what the CLI can see; whether a bind source exists is the daemon's.
import type { Mount } from '../../../proto/gen/tinydocker/v1/containers.js';
import { mountType } from '../proto-enums.js';
import { InvalidValue } from './invalid-value.js';
import { parseRamSize } from './parse-size.js';

const propagations = ['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave'];

const readBool = (key: string, v: string | undefined): boolean => {
  if (v === undefined || ['1', 'true'].includes(v.toLowerCase())) return true;
  if (['0', 'false'].includes(v.toLowerCase())) return false;
  throw new InvalidValue(`invalid value for ${key}: ${v}`);
};

export function parseMount(value: string): Mount {
  const m: Mount = { type: mountType.volume, source: '', target: '', readOnly: false, bindPropagation: '', tmpfsSize: 0, tmpfsMode: 0, tmpfsExec: false };
  for (const field of value.split(',')) {
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).trim().toLowerCase();
    const v = eq < 0 ? undefined : field.slice(eq + 1);
    const need = (): string => {
      if (v === undefined || v === '') throw new InvalidValue(`invalid field '${field}' must be a key=value pair`);
      return v;
    };
    switch (key) {
      case 'type': {
        const t = need();
        if (!Object.hasOwn(mountType, t)) throw new InvalidValue(`invalid mount type: '${t}' (want bind or tmpfs)`);
        m.type = mountType[t as keyof typeof mountType];
        break;
      }
      case 'source': case 'src': m.source = need(); break;
      case 'target': case 'destination': case 'dst': m.target = need(); break;
      case 'readonly': case 'ro': m.readOnly = readBool(key, v); break;
      case 'bind-propagation': {
        const p = need();
        if (!propagations.includes(p)) throw new InvalidValue(`invalid bind-propagation: '${p}'`);
        m.bindPropagation = p;
        break;
      }
      case 'tmpfs-size': m.tmpfsSize = parseRamSize(need()); break;
      case 'tmpfs-mode': {
        const mode = need();
        if (!/^0?[0-7]{1,4}$/.test(mode)) throw new InvalidValue(`invalid tmpfs-mode: '${mode}' (want octal, as 1777)`);
        m.tmpfsMode = parseInt(mode, 8);
        break;
      }
      case 'consistency': need(); break; // Docker for Mac only; accepted and ignored as Docker does.
      default: throw new InvalidValue(`unexpected key '${key}' in '${field}'`);
    }
  }
  if (m.target === '') throw new InvalidValue('target is required');
  if (!m.target.startsWith('/')) throw new InvalidValue(`target '${m.target}' is not an absolute path`);
  if (m.type === mountType.bind) {
    if (m.source === '') throw new InvalidValue('source is required when type=bind');
    if (!m.source.startsWith('/')) throw new InvalidValue(`bind source '${m.source}' is not an absolute path`);
  } else if (m.bindPropagation !== '') {
    throw new InvalidValue('bind-propagation is only for type=bind');
  }
  if (m.type === mountType.tmpfs && m.source !== '') throw new InvalidValue('source is not allowed when type=tmpfs');
  if (m.type !== mountType.tmpfs && (m.tmpfsSize !== 0 || m.tmpfsMode !== 0)) {
    throw new InvalidValue('tmpfs-size and tmpfs-mode are only for type=tmpfs');
  }
  return m;
}
