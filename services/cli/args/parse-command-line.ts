// The CLI's entry to parsing: argv (without node and the script) to what to do. Pure but for
// the context it is given; nothing here talks to the daemon or loads the generated gRPC code.
// Async only because each command's table is loaded on demand (see command-table.ts).
import { CliError } from '../cli-error.js';
import { type Command, loadAllCommandSpecs, loadCommandSpec, managementCommands } from './command-table.js';
import type { CommandSpec } from './command-spec.js';
import type { ArgCount, FlagSpec } from './flag-spec.js';
import { ordinal } from './ordinal-order.js';
import { type GlobalOptions, globalFlags, globalOptionsOf } from './global-options.js';
import { type ParseContext, processContext } from './parse-context.js';
import { parseFlags } from './parse-flags.js';
import { optionsText, usageText } from './usage-text.js';

export type ParseResult =
  /** Print `text` on stdout and exit 0 (--help, `tdocker help`, `tdocker` alone). */
  | { kind: 'help'; text: string }
  /** `tdocker --version`: print the client's version and exit 0. */
  | { kind: 'client-version' }
  | { kind: 'command'; global: GlobalOptions; command: Command };

const helpFlag: FlagSpec = { name: 'help', kind: 'bool', description: 'Print usage' };

const plural = (n: number) => `${n} argument${n === 1 ? '' : 's'}`;

/** Docker's wording for a wrong number of arguments, or undefined when the count fits. */
export function argCountError(count: number, want: ArgCount): string | undefined {
  const { min, max } = want;
  if (count >= min && (max === undefined || count <= max)) return undefined;
  if (max === 0) return 'accepts no arguments';
  if (min === max) return `requires exactly ${plural(min)}`;
  if (max === undefined) return `requires at least ${plural(min)}`;
  if (min === 0) return `accepts at most ${plural(max)}`;
  return `requires at least ${min} and at most ${plural(max)}`;
}

export async function topLevelUsage(): Promise<string> {
  // Commands of a group ("network create") are listed under Management Commands.
  const specs = (await loadAllCommandSpecs()).filter((s) => !s.name.includes(' '));
  const width = Math.max(...specs.map((s) => s.name.length));
  const commands = specs
    .sort((a, b) => ordinal(a.name, b.name))
    .map((s) => `  ${s.name.padEnd(width)}   ${s.description}`)
    .join('\n');
  return `\nUsage:  tdocker [OPTIONS] COMMAND\n\nA container supervisor that speaks Docker's commands\n\nCommands:\n${commands}\n\n` +
    `Management Commands:\n  container   Manage containers (container ls, container rm, container prune, ...)\n  image       Manage images (image ls, image rm, image pull, image load, image save, image prune, ...)\n  network     Manage networks (network create, network ls, network inspect, network rm)\n\n` +
    `Global Options:\n${optionsText(globalFlags)}\n\nRun 'tdocker COMMAND --help' for more information on a command.\n`;
}

function groupUsage(name: string, group: Readonly<Record<string, readonly string[]>>): string {
  const verbs = Object.entries(group).sort(([a], [b]) => ordinal(a, b));
  const width = Math.max(...verbs.map(([v]) => v.length));
  const lines = verbs.map(([verb, target]) => `  ${verb.padEnd(width)}   tdocker ${target.join(' ')}`).join('\n');
  return `\nUsage:  tdocker ${name} COMMAND\n\nCommands:\n${lines}\n\nRun 'tdocker ${name} COMMAND --help' for more information on a command.\n`;
}

const hinted = (err: unknown, hint: string): unknown =>
  err instanceof CliError ? new CliError(err.what, `${err.why} (see '${hint}')`) : err;

/** Resolves `container ls` and the like to the plain command words. */
async function resolveCommand(words: readonly string[]): Promise<{ spec: CommandSpec; rest: string[] } | undefined> {
  const [first = '', second, ...more] = words;
  const group = managementCommands[first];
  if (group) {
    const target = second === undefined ? undefined : group[second];
    if (!target) {
      throw new CliError(second === undefined ? first : `${first} ${second}`, `not a tdocker command (see 'tdocker --help')`);
    }
    return { spec: (await loadCommandSpec(target[0]!))!, rest: [...target.slice(1), ...more] };
  }
  const spec = await loadCommandSpec(first);
  return spec && { spec, rest: words.slice(1) };
}

export async function parseCommandLine(argv: readonly string[], ctx: ParseContext = processContext()): Promise<ParseResult> {
  let global;
  try {
    global = parseFlags('command line', argv, [...globalFlags, helpFlag], { interspersed: false });
  } catch (err) {
    throw hinted(err, 'tdocker --help');
  }
  if (global.flags.bool('version')) return { kind: 'client-version' };
  const words = global.args;
  if (global.flags.bool('help') || words.length === 0) return { kind: 'help', text: await topLevelUsage() };

  if (words[0] === 'help') {
    const topic = words.slice(1);
    if (topic.length === 0) return { kind: 'help', text: await topLevelUsage() };
    const found = await resolveCommand(topic);
    if (!found) throw new CliError(topic.join(' '), `not a tdocker command (see 'tdocker --help')`);
    return { kind: 'help', text: usageText(found.spec) };
  }

  const group = managementCommands[words[0]!];
  if (group && (words.length === 1 || words[1] === '--help')) return { kind: 'help', text: groupUsage(words[0]!, group) };
  const found = await resolveCommand(words);
  if (!found) throw new CliError(words[0]!, `not a tdocker command (see 'tdocker --help')`);
  const { spec, rest } = found;
  const hint = `tdocker ${spec.name} --help`;
  let parsed;
  try {
    parsed = parseFlags(spec.name, rest, [...spec.flags, helpFlag], { interspersed: spec.interspersed });
  } catch (err) {
    throw hinted(err, hint);
  }
  if (parsed.flags.bool('help')) return { kind: 'help', text: usageText(spec) };
  const countError = argCountError(parsed.args.length, spec.args);
  if (countError) throw new CliError(spec.name, `${countError} (see '${hint}')`);

  const options = globalOptionsOf(global.flags, ctx);
  const command = spec.build({ flags: parsed.flags, args: parsed.args, ctx }) as Command;
  return { kind: 'command', global: options, command };
}
