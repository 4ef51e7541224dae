// Turns off the output processing of the terminal on stdin (see raw-terminal.ts for why), the
// way a shell user would: `stty -opost`. Best effort: without stty the session still works,
// with an extra carriage return before each line feed.
import { spawnSync } from 'node:child_process';

export function disableOutputProcessing(): void {
  spawnSync('stty', ['-opost'], { stdio: ['inherit', 'ignore', 'ignore'] });
}
