// The flags one command line set, with typed readers. Readers that convert a value wrap the
// parser's reason into Docker's message: invalid argument "12q" for "-m, --memory" flag: ...
import { CliError } from '../cli-error.js';
import { InvalidValue } from '../values/invalid-value.js';
import type { FlagSpec } from './flag-spec.js';

export const flagDisplay = (spec: FlagSpec): string =>
  spec.short ? `-${spec.short}, --${spec.name}` : `--${spec.name}`;

export class ParsedFlags {
  readonly #specs: ReadonlyMap<string, FlagSpec>;
  readonly #values = new Map<string, string[]>();
  /** The command the flags belong to, for error messages. */
  readonly command: string;

  constructor(command: string, specs: readonly FlagSpec[]) {
    this.command = command;
    this.#specs = new Map(specs.map((s) => [s.name, s]));
  }

  /** Records one occurrence (the parser calls this). */
  add(name: string, value: string): void {
    const list = this.#values.get(name);
    if (list) list.push(value);
    else this.#values.set(name, [value]);
  }

  has(name: string): boolean {
    return this.#values.has(this.#spec(name).name);
  }

  bool(name: string): boolean {
    const spec = this.#spec(name);
    const v = this.#values.get(name)?.at(-1) ?? spec.default ?? 'false';
    return v === 'true';
  }

  /** The last value given, or the declared default, or undefined. */
  string(name: string): string | undefined {
    const spec = this.#spec(name);
    return this.#values.get(name)?.at(-1) ?? spec.default;
  }

  /** Every value given, in order. */
  list(name: string): string[] {
    this.#spec(name);
    return [...(this.#values.get(name) ?? [])];
  }

  /** The string value converted by `parse`; undefined when the flag was not given. */
  convert<T>(name: string, parse: (value: string) => T): T | undefined {
    const v = this.string(name);
    return v === undefined ? undefined : this.#wrap(name, v, parse);
  }

  /** Every value of a list flag converted by `parse`. */
  convertEach<T>(name: string, parse: (value: string) => T): T[] {
    return this.list(name).map((v) => this.#wrap(name, v, parse));
  }

  /** An error about a flag's value that no single parser could see (a conflict, a range). */
  invalid(name: string, value: string, reason: string): CliError {
    return new CliError(this.command, `invalid argument "${value}" for "${flagDisplay(this.#spec(name))}" flag: ${reason}`);
  }

  #wrap<T>(name: string, value: string, parse: (value: string) => T): T {
    try {
      return parse(value);
    } catch (err) {
      if (err instanceof InvalidValue) throw this.invalid(name, value, err.message);
      throw err;
    }
  }

  #spec(name: string): FlagSpec {
    const spec = this.#specs.get(name);
    // A typo in a command table, not user input.
    if (!spec) throw new Error(`no flag --${name} declared for ${this.command}`);
    return spec;
  }
}
