// The public surface of the events service: what the daemon's wiring, the gateway and tests use.
export { EventBus, type EventBusOptions, type EventBusStatus, type FleetContainer } from './event-bus.js';
export { CONTAINER_ACTIONS, type ContainerAction, type ContainerEventInput } from './container-event.js';
export { eventHost, parseCloudEvent, type CloudEvent } from './cloud-event.js';
export { matchesFilters, type EventFilters } from './event-filter.js';
export type { SubscribeOptions } from './event-subscription.js';
export type { HostInfo } from './host-info.js';
export type { EventLogger } from './event-logger.js';
export { hostFromToken, hostToken } from './host-token.js';
export { eventSubject, ALL_EVENTS } from './event-subject.js';
export { formatRfc3339Nano, parseRfc3339Nano } from './event-time.js';
export { CONTAINERS_BUCKET, EVENTS_STREAM, HOSTS_BUCKET, SUBJECT_PREFIX } from './bus-names.js';
