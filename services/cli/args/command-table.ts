// Every command of the CLI by name, each loaded only when asked for: `tdocker ps` never loads
// run's value parsers (Node pays for each module it loads, and the CLI starts for every call).
import type { CommandSpec } from './command-spec.js';
import type { AttachCommand } from './commands/attach.js';
import type { CommitCommand } from './commands/commit.js';
import type { ContainerPruneCommand } from './commands/container-prune.js';
import type { CpCommand } from './commands/cp.js';
import type { CreateCommand } from './commands/create.js';
import type { EventsCommand } from './commands/events.js';
import type { ExecCommand } from './commands/exec.js';
import type { ExportCommand } from './commands/export.js';
import type { HostsCommand } from './commands/hosts.js';
import type { ImagePruneCommand } from './commands/image-prune.js';
import type { ImagesCommand } from './commands/images.js';
import type { ImportCommand } from './commands/import.js';
import type { InfoCommand, VersionCommand } from './commands/info.js';
import type { InspectCommand } from './commands/inspect.js';
import type { KillCommand } from './commands/kill.js';
import type { LoadCommand } from './commands/load.js';
import type { LogsCommand } from './commands/logs.js';
import type { NetworkCreateCommand, NetworkInspectCommand, NetworkLsCommand, NetworkRmCommand } from './commands/network.js';
import type { PauseCommand, UnpauseCommand } from './commands/pause.js';
import type { PortCommand } from './commands/port.js';
import type { PsCommand } from './commands/ps.js';
import type { PullCommand } from './commands/pull.js';
import type { RenameCommand } from './commands/rename.js';
import type { RestartCommand } from './commands/restart.js';
import type { RmCommand } from './commands/rm.js';
import type { RmiCommand } from './commands/rmi.js';
import type { RunCommand } from './commands/run.js';
import type { SaveCommand } from './commands/save.js';
import type { StartCommand } from './commands/start.js';
import type { StatsCommand } from './commands/stats.js';
import type { StopCommand } from './commands/stop.js';
import type { TagCommand } from './commands/tag.js';
import type { TopCommand } from './commands/top.js';
import type { WaitCommand } from './commands/wait.js';

/** What a command line asks for: one member per command, discriminated by `name`. */
export type Command =
  | AttachCommand | CreateCommand | ExecCommand | ImagesCommand | ImportCommand | InfoCommand
  | InspectCommand | KillCommand | LogsCommand | NetworkCreateCommand | NetworkInspectCommand | NetworkLsCommand
  | NetworkRmCommand | PauseCommand | PortCommand | PsCommand | RenameCommand
  | RestartCommand | RmCommand | RmiCommand | RunCommand | StartCommand | StatsCommand | StopCommand
  | TopCommand | UnpauseCommand | VersionCommand | WaitCommand
  | CommitCommand | ContainerPruneCommand | CpCommand | ExportCommand | ImagePruneCommand | LoadCommand | PullCommand | SaveCommand | TagCommand
  | EventsCommand | HostsCommand;

type Loader = () => Promise<CommandSpec>;

export const commandLoaders: Readonly<Record<Command['name'], Loader>> = {
  attach: async () => (await import('./commands/attach.js')).attachSpec,
  commit: async () => (await import('./commands/commit.js')).commitSpec,
  create: async () => (await import('./commands/create.js')).createSpec,
  events: async () => (await import('./commands/events.js')).eventsSpec,
  exec: async () => (await import('./commands/exec.js')).execSpec,
  export: async () => (await import('./commands/export.js')).exportSpec,
  hosts: async () => (await import('./commands/hosts.js')).hostsSpec,
  'container prune': async () => (await import('./commands/container-prune.js')).containerPruneSpec,
  cp: async () => (await import('./commands/cp.js')).cpSpec,
  'image prune': async () => (await import('./commands/image-prune.js')).imagePruneSpec,
  images: async () => (await import('./commands/images.js')).imagesSpec,
  import: async () => (await import('./commands/import.js')).importSpec,
  info: async () => (await import('./commands/info.js')).infoSpec,
  inspect: async () => (await import('./commands/inspect.js')).inspectSpec,
  kill: async () => (await import('./commands/kill.js')).killSpec,
  load: async () => (await import('./commands/load.js')).loadSpec,
  logs: async () => (await import('./commands/logs.js')).logsSpec,
  'network create': async () => (await import('./commands/network.js')).networkCreateSpec,
  'network inspect': async () => (await import('./commands/network.js')).networkInspectSpec,
  'network ls': async () => (await import('./commands/network.js')).networkLsSpec,
  'network rm': async () => (await import('./commands/network.js')).networkRmSpec,
  pause: async () => (await import('./commands/pause.js')).pauseSpec,
  port: async () => (await import('./commands/port.js')).portSpec,
  ps: async () => (await import('./commands/ps.js')).psSpec,
  pull: async () => (await import('./commands/pull.js')).pullSpec,
  rename: async () => (await import('./commands/rename.js')).renameSpec,
  restart: async () => (await import('./commands/restart.js')).restartSpec,
  rm: async () => (await import('./commands/rm.js')).rmSpec,
  rmi: async () => (await import('./commands/rmi.js')).rmiSpec,
  run: async () => (await import('./commands/run.js')).runSpec,
  save: async () => (await import('./commands/save.js')).saveSpec,
  start: async () => (await import('./commands/start.js')).startSpec,
  stats: async () => (await import('./commands/stats.js')).statsSpec,
  stop: async () => (await import('./commands/stop.js')).stopSpec,
  tag: async () => (await import('./commands/tag.js')).tagSpec,
  top: async () => (await import('./commands/top.js')).topSpec,
  unpause: async () => (await import('./commands/pause.js')).unpauseSpec,
  version: async () => (await import('./commands/info.js')).versionSpec,
  wait: async () => (await import('./commands/wait.js')).waitSpec,
};

export const loadCommandSpec = (name: string): Promise<CommandSpec> | undefined =>
  Object.hasOwn(commandLoaders, name) ? commandLoaders[name as Command['name']]() : undefined;

/** Every command's spec, for the top-level --help (the one place that needs them all). */
export const loadAllCommandSpecs = (): Promise<CommandSpec[]> => Promise.all(Object.values(commandLoaders).map((load) => load()));

/**
 * Docker's management commands (`tdocker container ls`, `tdocker image rm`) as the words they
 * stand for; the words after the group's verb follow.
 */
export const managementCommands: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  container: {
    ...Object.fromEntries(
      ['attach', 'commit', 'cp', 'create', 'exec', 'export', 'kill', 'logs', 'pause', 'port', 'ps', 'rename', 'restart', 'rm', 'run', 'start', 'stats', 'stop', 'top', 'unpause', 'wait']
        .map((verb) => [verb, [verb]]),
    ),
    inspect: ['inspect', '--type=container'],
    list: ['ps'],
    ls: ['ps'],
    prune: ['container prune'],
    remove: ['rm'],
  },
  image: {
    import: ['import'],
    inspect: ['inspect', '--type=image'],
    list: ['images'],
    load: ['load'],
    ls: ['images'],
    prune: ['image prune'],
    pull: ['pull'],
    remove: ['rmi'],
    rm: ['rmi'],
    save: ['save'],
    tag: ['tag'],
  },
  network: {
    create: ['network create'],
    inspect: ['network inspect'],
    list: ['network ls'],
    ls: ['network ls'],
    remove: ['network rm'],
    rm: ['network rm'],
  },
  system: {
    events: ['events'],
    info: ['info'],
  },
};
