// tdocker version: the client's version, then the daemon's. The client part is printed even
// when the daemon cannot be reached (then the error line follows and the exit is 125).
import { arch, platform } from 'node:os';
import type { VersionResponse } from '../../../proto/gen/tinydocker/v1/system.js';
import type { VersionCommand } from '../args/commands/info.js';
import type { Action } from '../cli-context.js';
import { clientVersion } from '../client-version.js';
import { unaryCall } from '../client/unary-call.js';
import { compileTemplate } from '../format/go-template.js';
import { rfc3339Nano } from '../format/timestamp-text.js';

const goArch = (a: string) => ({ x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm' })[a] ?? a;

const clientJson = () => ({
  Version: clientVersion(),
  ApiVersion: 'v1',
  NodeVersion: process.version,
  Os: platform(),
  Arch: goArch(arch()),
});

const serverJson = (v: VersionResponse) => ({
  Version: v.version,
  ApiVersion: v.apiVersion,
  GitCommit: v.gitCommit,
  NodeVersion: v.nodeVersion,
  Os: v.os,
  Arch: goArch(v.arch),
  KernelVersion: v.kernelVersion,
  BuildTime: rfc3339Nano(v.buildTime),
});

function clientText(c: ReturnType<typeof clientJson>): string {
  return `Client:\n Version:           ${c.Version}\n API version:       ${c.ApiVersion}\n Node version:      ${c.NodeVersion}\n OS/Arch:           ${c.Os}/${c.Arch}\n`;
}

function serverText(s: ReturnType<typeof serverJson>): string {
  return '\nServer:\n Engine:\n' +
    `  Version:          ${s.Version}\n  API version:      ${s.ApiVersion}\n  Node version:     ${s.NodeVersion}\n` +
    `  Git commit:       ${s.GitCommit || 'unknown'}\n  Built:            ${s.BuildTime}\n  OS/Arch:          ${s.Os}/${s.Arch}\n` +
    `  Kernel Version:   ${s.KernelVersion}\n`;
}

export const version: Action<VersionCommand> = async (cmd, cli) => {
  const client = clientJson();
  const { format } = cmd;
  if (format.kind === 'table') cli.stdout.write(clientText(client));
  const daemon = await cli.daemon();
  let server: ReturnType<typeof serverJson> | undefined;
  let failure: unknown;
  try {
    server = serverJson(await unaryCall<VersionResponse>((done) => daemon.system.version({}, done)));
  } catch (err) {
    failure = err;
  }
  const all = { Client: client, Server: server ?? null };
  if (format.kind === 'json') cli.stdout.write(`${JSON.stringify(all)}\n`);
  else if (format.kind === 'template') cli.stdout.write(`${compileTemplate(format.template)(all)}\n`);
  else if (server) cli.stdout.write(serverText(server));
  if (failure !== undefined) throw cli.fail(failure, 'version');
  return 0;
};
