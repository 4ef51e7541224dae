// tdocker pull REF: the daemon pulls and streams its progress; shown on stdout as Docker does,
// a bar per layer on a terminal and plain lines otherwise ("<layer>: Pull complete ...").
import type { PullImageProgress } from '../../../proto/gen/tinydocker/v1/images.js';
import type { PullCommand } from '../args/commands/pull.js';
import { CliError } from '../cli-error.js';
import type { Action, CliContext } from '../cli-context.js';
import { TransferProgress } from '../io/transfer-progress.js';

async function readPassword(cli: CliContext): Promise<string> {
  let text = '';
  for await (const chunk of cli.stdin) text += chunk.toString();
  return text.replace(/\r?\n$/, '');
}

const shortDigest = (digest: string) => digest.replace(/^sha256:/, '').slice(0, 12);

export const pull: Action<PullCommand> = async (cmd, cli) => {
  const request = { ...cmd.request };
  if (cmd.passwordStdin && request.auth) request.auth = { ...request.auth, password: await readPassword(cli) };
  const daemon = await cli.daemon();
  const progress = cmd.quiet ? undefined : new TransferProgress(cli.stdout);
  let fetched = 0;
  let done: { id: string; repoTags: string[] } | undefined;
  try {
    if (!/[:@][^/]*$/.test(request.reference)) progress?.status('Using default tag: latest');
    for await (const m of daemon.images.pull(request) as AsyncIterable<PullImageProgress>) {
      const e = m.event;
      if (!e) continue;
      if (e.$case === 'status') progress?.status(e.status);
      else if (e.$case === 'layer') {
        const l = e.layer;
        const id = shortDigest(l.digest);
        if (l.exists) progress?.complete(id, 'Already exists', { quiet: true });
        else if (l.bytes >= l.total && l.total > 0) {
          fetched++;
          progress?.complete(id, 'Pull complete', { bytes: l.total });
        } else progress?.update(id, 'Downloading', l.bytes, l.total);
      } else if (e.$case === 'done') done = e.done;
    }
  } catch (err) {
    progress?.clear();
    throw cli.fail(err, `pull ${request.reference}`);
  }
  if (!done) throw new CliError(`pull ${request.reference}`, 'the daemon ended the pull without an image');
  progress?.end();
  const tag = done.repoTags.find((t) => t === request.reference || t.endsWith(`/${request.reference}`) || t.endsWith(`/${request.reference}:latest`) || t === `${request.reference}:latest`)
    ?? done.repoTags[0] ?? done.id;
  progress?.status(fetched ? `Status: Downloaded newer image for ${tag}` : `Status: Image is up to date for ${tag}`);
  cli.stdout.write(`${tag}\n`);
  return 0;
};
