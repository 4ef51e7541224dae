// tdocker network create | ls | inspect | rm.
import type { CreateNetworkResponse, ListNetworksResponse, NetworkInspect } from '../../../proto/gen/tinydocker/v1/networks.js';
import type { NetworkCreateCommand, NetworkInspectCommand, NetworkLsCommand, NetworkRmCommand } from '../args/commands/network.js';
import type { Action } from '../cli-context.js';
import { isCallFailure, isConnectFailure } from '../client/daemon-error.js';
import { unaryCall } from '../client/unary-call.js';
import { compileTemplate } from '../format/go-template.js';
import { inspectText } from '../format/inspect-json.js';
import { formatNetworks, networkInspectJson } from '../format/networks-table.js';
import { printWarnings } from './print-warnings.js';

export const networkCreate: Action<NetworkCreateCommand> = async (cmd, cli) => {
  const daemon = await cli.daemon();
  const res = await unaryCall<CreateNetworkResponse>((done) => daemon.networks.create(cmd.request, done)).catch((err) => {
    throw cli.fail(err, `network create ${cmd.request.name}`);
  });
  printWarnings(cli, res.warnings);
  cli.stdout.write(`${res.id}\n`);
  return 0;
};

export const networkLs: Action<NetworkLsCommand> = async (cmd, cli) => {
  const daemon = await cli.daemon();
  const res = await unaryCall<ListNetworksResponse>((done) => daemon.networks.list({}, done)).catch((err) => {
    throw cli.fail(err, 'network ls');
  });
  cli.stdout.write(formatNetworks(res.networks, cmd));
  return 0;
};

export const networkInspect: Action<NetworkInspectCommand> = async (cmd, cli) => {
  const daemon = await cli.daemon();
  const found: Record<string, unknown>[] = [];
  let failed = false;
  for (const ref of cmd.refs) {
    try {
      found.push(networkInspectJson(await unaryCall<NetworkInspect>((done) => daemon.networks.inspect({ ref }, done))));
    } catch (err) {
      if (isCallFailure(err) && isConnectFailure(err)) throw cli.fail(err, 'network inspect');
      failed = true;
      cli.stderr.write(`${cli.fail(err, `network inspect ${ref}`).line}\n`);
    }
  }
  if (cmd.format !== undefined) {
    const render = compileTemplate(cmd.format);
    for (const n of found) cli.stdout.write(`${render(n)}\n`);
  } else {
    cli.stdout.write(inspectText(found));
  }
  return failed ? 125 : 0;
};

export const networkRm: Action<NetworkRmCommand> = async (cmd, cli) => {
  const daemon = await cli.daemon();
  let failed = false;
  for (const ref of cmd.refs) {
    try {
      await unaryCall((done) => daemon.networks.remove({ ref }, done));
      cli.stdout.write(`${ref}\n`);
    } catch (err) {
      if (isCallFailure(err) && isConnectFailure(err)) throw cli.fail(err, 'network rm');
      failed = true;
      cli.stderr.write(`${cli.fail(err, `network rm ${ref}`).line}\n`);
    }
  }
  return failed ? 125 : 0;
};
