// Every command of the CLI, by name, and the union of the typed commands they produce.
import { attachSpec } from './commands/attach.js';
import { createSpec } from './commands/create.js';
import { execSpec } from './commands/exec.js';
import { imagesSpec } from './commands/images.js';
import { importSpec } from './commands/import.js';
import { infoSpec, versionSpec } from './commands/info.js';
import { inspectSpec } from './commands/inspect.js';
import { killSpec } from './commands/kill.js';
import { logsSpec } from './commands/logs.js';
import { pauseSpec, unpauseSpec } from './commands/pause.js';
import { psSpec } from './commands/ps.js';
import { renameSpec } from './commands/rename.js';
import { restartSpec } from './commands/restart.js';
import { rmSpec } from './commands/rm.js';
import { rmiSpec } from './commands/rmi.js';
import { runSpec } from './commands/run.js';
import { startSpec } from './commands/start.js';
import { statsSpec } from './commands/stats.js';
import { stopSpec } from './commands/stop.js';
import { topSpec } from './commands/top.js';
import { waitSpec } from './commands/wait.js';
import type { CommandSpec } from './command-spec.js';

export const commandSpecs = [
  attachSpec, createSpec, execSpec, imagesSpec, importSpec, infoSpec, inspectSpec, killSpec,
  logsSpec, pauseSpec, psSpec, renameSpec, restartSpec, rmSpec, rmiSpec, runSpec, startSpec,
  statsSpec, stopSpec, topSpec, unpauseSpec, versionSpec, waitSpec,
] as const;

/** What a command line asks for: one member per command, discriminated by `name`. */
export type Command = ReturnType<(typeof commandSpecs)[number]['build']>;

export const commandByName: ReadonlyMap<string, CommandSpec> = new Map(commandSpecs.map((s) => [s.name, s as CommandSpec]));

/**
 * Docker's management commands (`tdocker container ls`, `tdocker image rm`) as the words they
 * stand for; the words after the group's verb follow.
 */
export const managementCommands: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  container: {
    ...Object.fromEntries(
      ['attach', 'create', 'exec', 'kill', 'logs', 'pause', 'ps', 'rename', 'restart', 'rm', 'run', 'start', 'stats', 'stop', 'top', 'unpause', 'wait']
        .map((verb) => [verb, [verb]]),
    ),
    inspect: ['inspect', '--type=container'],
    list: ['ps'],
    ls: ['ps'],
    remove: ['rm'],
  },
  image: {
    import: ['import'],
    inspect: ['inspect', '--type=image'],
    list: ['images'],
    ls: ['images'],
    remove: ['rmi'],
    rm: ['rmi'],
  },
  system: {
    info: ['info'],
  },
};
