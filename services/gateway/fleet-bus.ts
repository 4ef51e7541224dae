// The part of the daemon's event bus (services/events) the gateway reaches: its status for Info,
// the fleet-wide event stream, and the fleet's hosts and containers from KV.
import type { CloudEvent, EventBusStatus, FleetContainer, HostInfo, SubscribeOptions } from '../events/mod.js';

export interface FleetBus {
  status(): EventBusStatus;
  subscribe(opts: SubscribeOptions, onEvent: (e: CloudEvent) => void, signal: AbortSignal): Promise<void>;
  hosts(): Promise<HostInfo[]>;
  fleetContainers(): Promise<FleetContainer[]>;
}
