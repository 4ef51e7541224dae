// --help text in Docker's layout: the usage line, the description, then the options aligned.
import type { CommandSpec } from './command-spec.js';
import type { FlagSpec } from './flag-spec.js';

const flagColumn = (f: FlagSpec): string => {
  const names = f.short ? `-${f.short}, --${f.name}` : `    --${f.name}`;
  const type = f.kind === 'bool' ? '' : ` ${f.type ?? (f.kind === 'list' ? 'list' : 'string')}`;
  return names + type;
};

export function optionsText(flags: readonly FlagSpec[]): string {
  const all = [...flags, { name: 'help', kind: 'bool', description: 'Print usage' } satisfies FlagSpec];
  const left = all.map(flagColumn);
  const width = Math.max(...left.map((l) => l.length));
  return all
    .map((f, i) => {
      const dflt = f.default !== undefined && f.kind !== 'bool' ? ` (default "${f.default}")` : '';
      return `  ${left[i]!.padEnd(width)}   ${f.description}${dflt}`;
    })
    .join('\n');
}

export function usageText(spec: CommandSpec): string {
  return `\nUsage:  tdocker ${spec.name} ${spec.usage}\n\n${spec.description}\n\nOptions:\n${optionsText(spec.flags)}\n`;
}
