// tdocker images: list images.
import type { ListImagesRequest } from '../../../../proto/gen/tinydocker/v1/images.js';
import { imageFilterKeys, parseFilter } from '../../values/parse-filter.js';
import { type OutputFormat, parseOutputFormat } from '../../values/parse-output-format.js';
import type { CommandSpec } from '../command-spec.js';

export interface ImagesCommand {
  name: 'images';
  request: ListImagesRequest;
  quiet: boolean;
  noTrunc: boolean;
  format: OutputFormat;
}

export const imagesSpec: CommandSpec<ImagesCommand> = {
  name: 'images',
  usage: '[OPTIONS] [REPOSITORY[:TAG]]',
  description: 'List images',
  flags: [
    { name: 'all', short: 'a', kind: 'bool', description: 'Show all images (there are no intermediate images: same as without)' },
    { name: 'filter', short: 'f', kind: 'list', type: 'filter', description: 'Filter output based on conditions provided (reference, label, dangling, before, since)' },
    { name: 'format', kind: 'string', description: "Format output: 'table', 'json', or a template" },
    { name: 'no-trunc', kind: 'bool', description: "Don't truncate output" },
    { name: 'quiet', short: 'q', kind: 'bool', description: 'Only show image IDs' },
  ],
  args: { min: 0, max: 1 },
  interspersed: true,
  build({ flags, args }) {
    const filters = flags.convertEach('filter', (v) => parseFilter(v, imageFilterKeys));
    if (args[0] !== undefined) filters.push({ key: 'reference', value: args[0] });
    return {
      name: 'images',
      request: { filters },
      quiet: flags.bool('quiet'),
      noTrunc: flags.bool('no-trunc'),
      format: flags.convert('format', parseOutputFormat) ?? { kind: 'table' },
    };
  },
};
