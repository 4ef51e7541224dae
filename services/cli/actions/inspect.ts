// tdocker inspect: the records of containers (or images) as Docker's JSON array, or through a
// --format template once per object. Without --type a name is looked up as a container first,
// then as an image (Docker's order); what is found is printed even when another name failed.
import type { ContainerInspect } from '../../../proto/gen/tinydocker/v1/containers.js';
import type { ImageInspect } from '../../../proto/gen/tinydocker/v1/images.js';
import type { InspectCommand } from '../args/commands/inspect.js';
import { CliError } from '../cli-error.js';
import type { Action, CliContext } from '../cli-context.js';
import { isCallFailure, isConnectFailure } from '../client/daemon-error.js';
import { unaryCall } from '../client/unary-call.js';
import { compileTemplate } from '../format/go-template.js';
import { containerInspectJson, imageInspectJson, inspectText } from '../format/inspect-json.js';

const NOT_FOUND = 5;

async function lookUp(cli: CliContext, target: string, type: InspectCommand['type']): Promise<Record<string, unknown>> {
  const daemon = await cli.daemon();
  const container = () => unaryCall<ContainerInspect>((done) => daemon.containers.inspect({ id: target }, done)).then(containerInspectJson);
  const image = () => unaryCall<ImageInspect>((done) => daemon.images.inspect({ reference: target }, done)).then(imageInspectJson);
  if (type === 'container') return container();
  if (type === 'image') return image();
  try {
    return await container();
  } catch (err) {
    if (!isCallFailure(err) || err.code !== NOT_FOUND) throw err;
  }
  try {
    return await image();
  } catch (err) {
    if (isCallFailure(err) && err.code === NOT_FOUND) throw new CliError(`inspect ${target}`, `no such object: ${target}`);
    throw err;
  }
}

export const inspect: Action<InspectCommand> = async (cmd, cli) => {
  const found: Record<string, unknown>[] = [];
  let failed = false;
  for (const target of cmd.targets) {
    try {
      found.push(await lookUp(cli, target, cmd.type));
    } catch (err) {
      if (isCallFailure(err) && isConnectFailure(err)) throw cli.fail(err, 'inspect');
      failed = true;
      cli.stderr.write(`${cli.fail(err, `inspect ${target}`).line}\n`);
    }
  }
  if (cmd.format !== undefined) {
    const render = compileTemplate(cmd.format);
    for (const o of found) cli.stdout.write(`${render(o)}\n`);
  } else {
    cli.stdout.write(inspectText(found));
  }
  return failed ? 125 : 0;
};
