// Docker's (pflag's) rules for one command's flags:
// - `--name value`, `--name=value`; bool flags take no value, or `--rm=false`.
// - shorthands combine: `-dit`; a shorthand that takes a value ends the group and takes the rest
//   (`-eK=V`, `-e=K=V`) or the next argument (`-ie K=V`).
// - a value is taken as it is even when it starts with "-" (`--cpus -1` is the value "-1").
// - `--` ends the flags; a lone `-` is an argument (stdin).
// - interspersed commands (ps, rm, ...) accept flags after arguments; the others (run, exec, top)
//   stop at the first argument: everything from the image on is the container's command.
import { CliError } from '../cli-error.js';
import type { FlagSpec } from './flag-spec.js';
import { ParsedFlags } from './parsed-flags.js';

export interface ParsedArgs {
  flags: ParsedFlags;
  args: string[];
}

const boolValue = (v: string): string | undefined => {
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(v)) return 'true';
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(v)) return 'false';
  return undefined;
};

/** `what` names the command in errors ("run", or "command line" for the global options). */
export function parseFlags(
  what: string,
  argv: readonly string[],
  specs: readonly FlagSpec[],
  opts: { interspersed: boolean },
): ParsedArgs {
  const flags = new ParsedFlags(what, specs);
  const args: string[] = [];
  const long = new Map<string, FlagSpec>();
  const short = new Map<string, FlagSpec>();
  for (const s of specs) {
    long.set(s.name, s);
    for (const a of s.aliases ?? []) long.set(a, s);
    if (s.short) short.set(s.short, s);
  }
  const fail = (why: string) => new CliError(what, why);
  const setBool = (spec: FlagSpec, raw: string, shown: string) => {
    const v = boolValue(raw);
    if (v === undefined) throw fail(`invalid argument "${raw}" for "${shown}" flag: want true or false`);
    flags.add(spec.name, v);
  };

  let i = 0;
  while (i < argv.length) {
    const a = argv[i++]!;
    if (a === '--') {
      args.push(...argv.slice(i));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      const spec = long.get(name);
      if (!spec) throw fail(`unknown flag: --${name}`);
      if (spec.kind === 'bool') {
        if (eq < 0) flags.add(spec.name, 'true');
        else setBool(spec, a.slice(eq + 1), `--${name}`);
      } else if (eq >= 0) {
        flags.add(spec.name, a.slice(eq + 1));
      } else if (i < argv.length) {
        flags.add(spec.name, argv[i++]!);
      } else {
        throw fail(`flag needs an argument: --${name}`);
      }
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const c = a[j]!;
        const spec = short.get(c);
        if (!spec) throw fail(`unknown shorthand flag: '${c}' in ${a}`);
        const rest = a.slice(j + 1);
        if (spec.kind === 'bool') {
          if (rest.startsWith('=')) {
            setBool(spec, rest.slice(1), `-${c}`);
            break;
          }
          flags.add(spec.name, 'true');
          continue;
        }
        if (rest.length > 0) flags.add(spec.name, rest.startsWith('=') ? rest.slice(1) : rest);
        else if (i < argv.length) flags.add(spec.name, argv[i++]!);
        else throw fail(`flag needs an argument: '${c}' in -${c}`);
        break;
      }
      continue;
    }
    if (!opts.interspersed) {
      args.push(a, ...argv.slice(i));
      break;
    }
    args.push(a);
  }
  return { flags, args };
}
