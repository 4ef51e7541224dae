// The answer to a prune's "Are you sure you want to continue? [y/N]", read from stdin.
import type { CliContext } from '../cli-context.js';

/** One line from stdin (empty at its end). */
function readAnswer(cli: CliContext): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const done = () => {
      cli.stdin.off('data', onData);
      cli.stdin.off('end', done);
      cli.stdin.pause();
      resolve(text.split('\n', 1)[0]!.trim());
    };
    const onData = (b: Buffer | string) => {
      text += b.toString();
      if (text.includes('\n')) done();
    };
    cli.stdin.on('data', onData);
    cli.stdin.once('end', done);
  });
}

/** Whether the user said y or yes; a no from a pipe ends the prompt's line. */
export async function confirmed(cli: CliContext): Promise<boolean> {
  if (/^y(es)?$/i.test(await readAnswer(cli))) return true;
  if (!cli.stdin.isTTY) cli.stdout.write('\n');
  return false;
}
