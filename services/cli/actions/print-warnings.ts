// The daemon's warnings about a request it carried out, one `WARNING:` line each on stderr.
import type { CliContext } from '../cli-context.js';

export function printWarnings(cli: CliContext, warnings: readonly string[]): void {
  for (const w of warnings) cli.stderr.write(`WARNING: ${w}\n`);
}
