// A container's network connect and disconnect as events on the bus (Docker's network events,
// here per container: action `connect`/`disconnect` with the network and address as attributes),
// and in the daemon's log. Actions the events service does not list yet are only logged.
import { CONTAINER_ACTIONS, type ContainerAction, type EventBus } from '../events/mod.js';
import type { NetworkEvent, NetworkManager } from '../network/index.js';
import type { Supervisor, SupervisorLog } from '../supervisor/supervisor.js';

const known = new Set<string>(CONTAINER_ACTIONS);

export function publishNetworkEvents(network: NetworkManager, supervisor: Supervisor, bus: Pick<EventBus, 'publish'> | undefined, log: SupervisorLog): void {
  network.onEvent = (e: NetworkEvent) => {
    log.info({ container: e.containerId, network: e.network.name, ip: e.ip }, `network ${e.action}`);
    if (!bus || !known.has(e.action)) return;
    let view;
    try {
      view = supervisor.get(e.containerId);
    } catch {
      return; // removed meanwhile: its destroy event says the rest
    }
    try {
      bus.publish({
        id: e.containerId, name: view.record.name, image: view.record.image.ref, state: view.state,
        action: e.action as ContainerAction,
        attributes: { network: e.network.name, networkId: e.network.id, ip: e.ip },
      });
    } catch (err) {
      log.warn({ err, container: e.containerId }, `could not publish network ${e.action}`);
    }
  };
}
