// -v / --volume: "SOURCE:DESTINATION[:OPTIONS]" where SOURCE is an absolute host path or a volume
// name ([a-zA-Z0-9][a-zA-Z0-9_.-]*), DESTINATION an absolute path other than "/", and OPTIONS a
// comma list of ro|rw, a propagation mode, z|Z and nocopy. A relative source is refused rather
// than guessed at; a lone DESTINATION (Docker's anonymous volume) is passed on for the daemon to
// decide. Returns the bind as written, for HostConfig.binds.
import { InvalidValue } from './invalid-value.js';

const volumeName = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const modes = new Set(['ro', 'rw', 'z', 'Z', 'nocopy', 'private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave']);
const propagations = ['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave'];

export function parseVolume(value: string): string {
  const parts = value.split(':');
  if (parts.length > 3 || parts.some((p) => p === '')) {
    throw new InvalidValue(`invalid volume specification: '${value}'`);
  }
  const [source, destination, options] = parts.length === 1 ? [undefined, parts[0]!, undefined] : parts;
  if (!destination!.startsWith('/')) {
    throw new InvalidValue(`invalid volume specification: '${value}': destination '${destination}' is not an absolute path`);
  }
  if (destination!.replace(/\/+$/, '') === '') {
    throw new InvalidValue(`invalid volume specification: '${value}': destination can't be '/'`);
  }
  if (source !== undefined && !source.startsWith('/') && !volumeName.test(source)) {
    throw new InvalidValue(`invalid volume specification: '${value}': source '${source}' must be an absolute path or a volume name`);
  }
  if (options !== undefined) {
    const opts = options.split(',');
    const bad = opts.find((o) => !modes.has(o));
    if (bad !== undefined) throw new InvalidValue(`invalid volume specification: '${value}': invalid mode '${bad}'`);
    if (opts.includes('ro') && opts.includes('rw')) throw new InvalidValue(`invalid volume specification: '${value}': both ro and rw`);
    if (opts.filter((o) => propagations.includes(o)).length > 1) {
      throw new InvalidValue(`invalid volume specification: '${value}': more than one propagation mode`);
    }
  }
  return value;
}
