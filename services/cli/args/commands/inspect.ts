// tdocker inspect: the full record of containers (or images), as JSON or through --format.
import { InvalidValue } from '../../values/invalid-value.js';
import { parseTemplate } from '../../values/parse-output-format.js';
import type { CommandSpec } from '../command-spec.js';

export interface InspectCommand {
  name: 'inspect';
  /** Container (or image) ids, names or references. */
  targets: string[];
  /** Unset: a container when one matches, else an image (Docker's order). */
  type?: 'container' | 'image';
  /** A Go-style template printed once per target ("{{.State.Pid}}"); unset prints JSON. */
  format?: string;
}

export const inspectSpec: CommandSpec<InspectCommand> = {
  name: 'inspect',
  usage: '[OPTIONS] NAME|ID [NAME|ID...]',
  description: 'Return low-level information on containers or images',
  flags: [
    { name: 'format', short: 'f', kind: 'string', description: 'Format output using a template' },
    { name: 'type', kind: 'string', description: 'Only inspect objects of the given type: container or image' },
  ],
  args: { min: 1 },
  interspersed: true,
  build({ flags, args }) {
    const type = flags.convert('type', (v) => {
      if (v !== 'container' && v !== 'image') throw new InvalidValue(`unknown type '${v}' (want container or image)`);
      return v;
    });
    const format = flags.convert('format', parseTemplate);
    return {
      name: 'inspect',
      targets: args,
      ...(type === undefined ? {} : { type }),
      ...(format === undefined ? {} : { format }),
    };
  },
};
