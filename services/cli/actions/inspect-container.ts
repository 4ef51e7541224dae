// One container's record, for the actions that must know its state or whether it has a tty
// before they attach (start -a, attach).
import type { ContainerInspect } from '../../../proto/gen/tinydocker/v1/containers.js';
import type { CliContext } from '../cli-context.js';
import { unaryCall } from '../client/unary-call.js';

export async function inspectContainer(cli: CliContext, id: string, what: string): Promise<ContainerInspect> {
  const daemon = await cli.daemon();
  return unaryCall<ContainerInspect>((done) => daemon.containers.inspect({ id }, done)).catch((err) => {
    throw cli.fail(err, what);
  });
}
