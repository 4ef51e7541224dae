// tdocker info: the client's and the daemon's facts in Docker's layout, or as JSON or a
// --format template over Docker's field names.
import type { InfoResponse } from '../../../proto/gen/tinydocker/v1/system.js';
import type { InfoCommand } from '../args/commands/info.js';
import type { Action } from '../cli-context.js';
import { clientVersion } from '../client-version.js';
import { unaryCall } from '../client/unary-call.js';
import { compileTemplate } from '../format/go-template.js';
import { bytesSize } from '../format/human-size.js';
import { rfc3339Nano } from '../format/timestamp-text.js';

/** Docker's `info` field names over the proto's. */
export function infoJson(i: InfoResponse): Record<string, unknown> {
  return {
    ID: i.id,
    Name: i.name,
    Containers: i.containers,
    ContainersRunning: i.containersRunning,
    ContainersPaused: i.containersPaused,
    ContainersStopped: i.containersStopped,
    Images: i.images,
    Driver: i.driver,
    CgroupDriver: i.cgroupDriver,
    CgroupVersion: i.cgroupVersion,
    KernelVersion: i.kernelVersion,
    OperatingSystem: i.operatingSystem,
    OSType: i.osType,
    Architecture: i.architecture,
    NCPU: i.ncpu,
    MemTotal: i.memTotal,
    DockerRootDir: i.rootDir,
    ServerVersion: i.serverVersion,
    NatsURL: i.natsUrl,
    NatsConnected: i.natsConnected,
    Events: { State: i.natsState, Servers: i.natsServers, Pending: i.natsPending, Embedded: i.natsEmbedded, LastError: i.natsLastError },
    SwapLimit: i.swapLimit,
    Warnings: i.warnings.length > 0 ? i.warnings : null,
    SystemTime: rfc3339Nano(i.systemTime),
  };
}

export function infoText(i: InfoResponse, client: { version: string; debug: boolean }): string {
  return [
    'Client:',
    ` Version:    ${client.version}`,
    ` Debug Mode: ${client.debug}`,
    '',
    'Server:',
    ` Containers: ${i.containers}`,
    `  Running: ${i.containersRunning}`,
    `  Paused: ${i.containersPaused}`,
    `  Stopped: ${i.containersStopped}`,
    ` Images: ${i.images}`,
    ` Server Version: ${i.serverVersion}`,
    ` Storage Driver: ${i.driver}`,
    ` Cgroup Driver: ${i.cgroupDriver}`,
    ` Cgroup Version: ${i.cgroupVersion}`,
    ` Kernel Version: ${i.kernelVersion}`,
    ` Operating System: ${i.operatingSystem}`,
    ` OSType: ${i.osType}`,
    ` Architecture: ${i.architecture}`,
    ` CPUs: ${i.ncpu}`,
    ` Total Memory: ${bytesSize(i.memTotal)}`,
    ` Name: ${i.name}`,
    ` ID: ${i.id}`,
    ` Root Dir: ${i.rootDir}`,
    ...eventsText(i),
    '',
  ].join('\n');
}

/** The event bus: its state, the servers (embedded or given with --nats), what waits for JetStream. */
function eventsText(i: InfoResponse): string[] {
  const state = i.natsState || (i.natsConnected ? 'connected' : 'degraded');
  const lines = [
    ` Events: ${state}`,
    `  Servers: ${i.natsServers.length ? i.natsServers.join(', ') : i.natsUrl || 'none'}${i.natsEmbedded ? ' (embedded)' : ''}`,
    `  Pending: ${i.natsPending}`,
  ];
  if (state !== 'connected' && i.natsLastError) lines.push(`  Last Error: ${i.natsLastError}`);
  return lines;
}

export const info: Action<InfoCommand> = async (cmd, cli) => {
  const daemon = await cli.daemon();
  const res = await unaryCall<InfoResponse>((done) => daemon.system.info({}, done)).catch((err) => {
    throw cli.fail(err, 'info');
  });
  const { format } = cmd;
  if (format.kind === 'json') cli.stdout.write(`${JSON.stringify(infoJson(res))}\n`);
  else if (format.kind === 'template') cli.stdout.write(`${compileTemplate(format.template)(infoJson(res))}\n`);
  else {
    cli.stdout.write(infoText(res, { version: clientVersion(), debug: cli.global.debug }));
    for (const w of res.warnings) cli.stderr.write(`WARNING: ${w}\n`);
  }
  return 0;
};
