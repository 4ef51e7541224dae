// One command of the CLI as data: its usage line, its flags, how many arguments it takes, and
// the function that turns what was parsed into the typed command (the request for the daemon).
import type { ArgCount, FlagSpec } from './flag-spec.js';
import type { ParseContext } from './parse-context.js';
import type { ParsedFlags } from './parsed-flags.js';

export interface CommandInput {
  flags: ParsedFlags;
  args: string[];
  ctx: ParseContext;
}

export interface CommandSpec<C extends { name: string } = { name: string }> {
  name: string;
  /** What follows `tdocker <name>` in the usage line ("[OPTIONS] CONTAINER [CONTAINER...]"). */
  usage: string;
  description: string;
  flags: readonly FlagSpec[];
  args: ArgCount;
  /** Whether flags may follow arguments (`rm a -f b`); false stops at the first argument. */
  interspersed: boolean;
  build(input: CommandInput): C;
}
