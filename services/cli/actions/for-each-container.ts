// The verbs that act on each container named (start, stop, kill, restart, rm, pause, unpause):
// every request is sent at once, the name as given is printed for each that succeeded, in the
// order given, one error line for each that failed, and the exit is 125 when any failed.
import type { ServiceError } from '@grpc/grpc-js';
import type { CliContext } from '../cli-context.js';
import { isCallFailure, isConnectFailure } from '../client/daemon-error.js';
import { unaryCall } from '../client/unary-call.js';

type Send<R> = (request: R, done: (err: ServiceError | null, response: unknown) => void) => unknown;

export async function forEachContainer<R extends { id: string }>(
  cli: CliContext,
  verb: string,
  requests: readonly R[],
  send: Send<R>,
): Promise<number> {
  const results = await Promise.allSettled(requests.map((r) => unaryCall((done) => send(r, done))));
  // Without a daemon every request fails the same way: one line says it.
  const unreachable = results.find((r) => r.status === 'rejected' && isCallFailure(r.reason) && isConnectFailure(r.reason));
  if (unreachable?.status === 'rejected') throw cli.fail(unreachable.reason, verb);
  let failed = false;
  results.forEach((r, i) => {
    const id = requests[i]!.id;
    if (r.status === 'fulfilled') {
      cli.stdout.write(`${id}\n`);
      return;
    }
    failed = true;
    cli.stderr.write(`${cli.fail(r.reason, `${verb} ${id}`).line}\n`);
  });
  return failed ? 125 : 0;
}
