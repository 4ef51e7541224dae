// Turns off the output processing of the terminal on stdin (see raw-terminal.ts for why), the
// way a shell user would: `stty -opost`. Best effort: without stty the session still works,
// with an extra carriage return before each line feed.
import { createRequire } from 'node:module';

export function disableOutputProcessing(): void {
  // Loaded here, not imported: only `-it` needs child_process, and loading it costs every
  // command that imports this module milliseconds.
  const { spawnSync } = createRequire(import.meta.url)('node:child_process') as typeof import('node:child_process');
  spawnSync('stty', ['-opost'], { stdio: ['inherit', 'ignore', 'ignore'] });
}
