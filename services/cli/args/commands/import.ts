// tdocker import: stream a tarball (a root filesystem, a `docker save` archive or an OCI layout)
// from a file or stdin ("-") into the daemon's image store.
import type { ImportOptions } from '../../../../proto/gen/tinydocker/v1/images.js';
import { CliError } from '../../cli-error.js';
import { InvalidValue } from '../../values/invalid-value.js';
import { parseChange } from '../../values/parse-change.js';
import { parseImageReference } from '../../values/parse-image-reference.js';
import type { CommandSpec } from '../command-spec.js';

export interface ImportCommand {
  name: 'import';
  /** A file path, or "-" for stdin. */
  source: string;
  /** The first frame of the Import call. */
  options: ImportOptions;
}

export const importSpec: CommandSpec<ImportCommand> = {
  name: 'import',
  usage: '[OPTIONS] file|- [REPOSITORY[:TAG]]',
  description: 'Import the contents from a tarball to create a filesystem image',
  flags: [
    { name: 'change', short: 'c', kind: 'list', description: 'Apply Dockerfile instruction to the created image' },
    { name: 'message', short: 'm', kind: 'string', description: 'Set commit message for imported image' },
  ],
  args: { min: 1, max: 2 },
  interspersed: true,
  build({ flags, args }) {
    const [source = '', reference = ''] = args;
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) throw new CliError('import', `${source}: importing from a URL is not supported`);
    if (reference !== '') {
      try {
        parseImageReference(reference);
      } catch (err) {
        if (err instanceof InvalidValue) throw new CliError('import', `"${reference}": ${err.message}`);
        throw err;
      }
    }
    return {
      name: 'import',
      source,
      options: { reference, changes: flags.convertEach('change', parseChange), message: flags.string('message') ?? '' },
    };
  },
};
