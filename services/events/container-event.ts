// What the supervisor tells the bus about one lifecycle change of one container.
import { invalid } from '../errors/tdocker-error.js';

export const CONTAINER_ACTIONS = [
  'create', 'mount', 'start', 'die', 'oom', 'kill', 'stop', 'pause', 'unpause', 'restart',
  'unmount', 'destroy', 'rename', 'exec_create', 'exec_start', 'exec_die', 'attach', 'detach',
  // Network connect and disconnect of the container (attributes: network, networkId, ip).
  'connect', 'disconnect',
] as const;

export type ContainerAction = (typeof CONTAINER_ACTIONS)[number];

export interface ContainerEventInput {
  id: string;
  name: string;
  image: string;
  action: ContainerAction;
  state: string;
  pid?: number;
  exitCode?: number;
  signal?: number;
  oomKilled?: boolean;
  attributes?: Record<string, string>;
}

const ACTIONS = new Set<string>(CONTAINER_ACTIONS);
/** Ids become a subject token and part of a KV key: no dots, wildcards or spaces. */
const ID = /^[A-Za-z0-9_-]{1,128}$/;

export function checkContainerId(id: string): void {
  if (!ID.test(id)) throw invalid(`events: container id "${id}" is not a valid subject token`);
}

/** Refuses input that would make a bad subject or event; a caller bug, never a runtime condition. */
export function checkEventInput(ev: ContainerEventInput): void {
  checkContainerId(ev.id);
  if (!ACTIONS.has(ev.action)) throw invalid(`events: unknown action "${ev.action}"`);
}
