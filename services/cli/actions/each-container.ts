// tdocker stop, kill, restart, rm, pause and unpause: one call per container named.
import type { KillCommand } from '../args/commands/kill.js';
import type { PauseCommand, UnpauseCommand } from '../args/commands/pause.js';
import type { RestartCommand } from '../args/commands/restart.js';
import type { RmCommand } from '../args/commands/rm.js';
import type { StopCommand } from '../args/commands/stop.js';
import type { Action } from '../cli-context.js';
import { forEachContainer } from './for-each-container.js';

export const stop: Action<StopCommand> = async (cmd, cli) => {
  const d = await cli.daemon();
  return forEachContainer(cli, 'stop', cmd.requests, (req, done) => d.containers.stop(req, done));
};

export const kill: Action<KillCommand> = async (cmd, cli) => {
  const d = await cli.daemon();
  return forEachContainer(cli, 'kill', cmd.requests, (req, done) => d.containers.kill(req, done));
};

export const restart: Action<RestartCommand> = async (cmd, cli) => {
  const d = await cli.daemon();
  return forEachContainer(cli, 'restart', cmd.requests, (req, done) => d.containers.restart(req, done));
};

export const rm: Action<RmCommand> = async (cmd, cli) => {
  const d = await cli.daemon();
  return forEachContainer(cli, 'rm', cmd.requests, (req, done) => d.containers.remove(req, done));
};

export const pause: Action<PauseCommand> = async (cmd, cli) => {
  const d = await cli.daemon();
  return forEachContainer(cli, 'pause', cmd.requests, (req, done) => d.containers.pause(req, done));
};

export const unpause: Action<UnpauseCommand> = async (cmd, cli) => {
  const d = await cli.daemon();
  return forEachContainer(cli, 'unpause', cmd.requests, (req, done) => d.containers.unpause(req, done));
};
