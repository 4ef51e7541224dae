// tdocker cp: files between a container and the local file system, or a tar stream (`-`), as
// Docker's: `cp [OPTIONS] CONTAINER:SRC DEST|-` and `cp [OPTIONS] SRC|- CONTAINER:DEST`.
import { CliError } from '../../cli-error.js';
import type { CommandSpec } from '../command-spec.js';

export interface CpCommand {
  name: 'cp';
  /** The container side: its reference and path. */
  container: string;
  containerPath: string;
  /** The local side: a path, or `-` for a tar on stdin or stdout. */
  localPath: string;
  direction: 'from' | 'to';
  archive: boolean;
  followLink: boolean;
  quiet: boolean;
}

/** `CONTAINER:PATH`, or a local path (one that starts with / or . is always local, as Docker's). */
export function splitCpArg(arg: string): { container?: string; path: string } {
  if (arg.startsWith('/') || arg.startsWith('.')) return { path: arg };
  const colon = arg.indexOf(':');
  if (colon <= 0) return { path: arg };
  return { container: arg.slice(0, colon), path: arg.slice(colon + 1) };
}

export const cpSpec: CommandSpec<CpCommand> = {
  name: 'cp',
  usage: '[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n       tdocker cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH',
  description: 'Copy files/folders between a container and the local filesystem',
  flags: [
    { name: 'archive', short: 'a', kind: 'bool', description: 'Archive mode (copy all uid/gid information)' },
    { name: 'follow-link', short: 'L', kind: 'bool', description: 'Always follow symbol link in SRC_PATH' },
    { name: 'quiet', short: 'q', kind: 'bool', description: 'Suppress progress output during copy' },
  ],
  args: { min: 2, max: 2 },
  interspersed: true,
  build({ flags, args }) {
    const [src, dst] = [splitCpArg(args[0]!), splitCpArg(args[1]!)];
    if (src.container !== undefined && dst.container !== undefined) throw new CliError('cp', 'copying between containers is not supported');
    if (src.container === undefined && dst.container === undefined) throw new CliError('cp', 'must specify at least one container source');
    const inside = src.container !== undefined ? src : dst;
    const local = src.container !== undefined ? dst : src;
    if (!inside.path) throw new CliError('cp', 'the container path is empty');
    if (!local.path) throw new CliError('cp', 'the local path is empty');
    return {
      name: 'cp',
      container: inside.container!,
      // Relative container paths are from the root, as Docker takes them.
      containerPath: inside.path.startsWith('/') ? inside.path : `/${inside.path}`,
      localPath: local.path,
      direction: src.container !== undefined ? 'from' : 'to',
      archive: flags.bool('archive'),
      followLink: flags.bool('follow-link'),
      quiet: flags.bool('quiet'),
    };
  },
};
