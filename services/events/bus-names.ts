// The names on the bus (DESIGN.md "Names"), written once.

export const SUBJECT_PREFIX = 'tdocker.events';
export const EVENTS_STREAM = 'TDOCKER_EVENTS';
export const CONTAINERS_BUCKET = 'tdocker_containers';
export const HOSTS_BUCKET = 'tdocker_hosts';
export const EVENT_TYPE_PREFIX = 'io.tinydocker.container.';
export const SOURCE_SCHEME = 'tdocker://';
