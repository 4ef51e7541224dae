// Each command's action, loaded only when asked for: a command pays for its own code only.
import type { Command } from '../args/command-table.js';
import type { Action } from '../cli-context.js';

type Loaders = { [N in Command['name']]: () => Promise<Action<Extract<Command, { name: N }>>> };

export const actionLoaders: Loaders = {
  attach: async () => (await import('./attach.js')).attach,
  commit: async () => (await import('./commit.js')).commit,
  create: async () => (await import('./create.js')).create,
  events: async () => (await import('./events.js')).events,
  exec: async () => (await import('./exec.js')).exec,
  export: async () => (await import('./export.js')).exportContainer,
  hosts: async () => (await import('./hosts.js')).hosts,
  'container prune': async () => (await import('./container-prune.js')).containerPrune,
  cp: async () => (await import('./cp.js')).cp,
  'image prune': async () => (await import('./image-prune.js')).imagePrune,
  images: async () => (await import('./images.js')).images,
  import: async () => (await import('./import.js')).importImage,
  info: async () => (await import('./info.js')).info,
  inspect: async () => (await import('./inspect.js')).inspect,
  kill: async () => (await import('./each-container.js')).kill,
  load: async () => (await import('./load.js')).load,
  logs: async () => (await import('./logs.js')).logs,
  'network create': async () => (await import('./network.js')).networkCreate,
  'network inspect': async () => (await import('./network.js')).networkInspect,
  'network ls': async () => (await import('./network.js')).networkLs,
  'network rm': async () => (await import('./network.js')).networkRm,
  pause: async () => (await import('./each-container.js')).pause,
  port: async () => (await import('./port.js')).port,
  ps: async () => (await import('./ps.js')).ps,
  pull: async () => (await import('./pull.js')).pull,
  rename: async () => (await import('./rename.js')).rename,
  restart: async () => (await import('./each-container.js')).restart,
  rm: async () => (await import('./each-container.js')).rm,
  rmi: async () => (await import('./rmi.js')).rmi,
  run: async () => (await import('./run.js')).run,
  save: async () => (await import('./save.js')).save,
  start: async () => (await import('./start.js')).start,
  stats: async () => (await import('./stats.js')).stats,
  stop: async () => (await import('./each-container.js')).stop,
  tag: async () => (await import('./tag.js')).tag,
  top: async () => (await import('./top.js')).top,
  unpause: async () => (await import('./each-container.js')).unpause,
  version: async () => (await import('./version.js')).version,
  wait: async () => (await import('./wait.js')).wait,
};

export function loadAction<C extends Command>(command: C): Promise<Action<C>> {
  return (actionLoaders[command.name] as () => Promise<Action<C>>)();
}
