// What each daemon says about itself in KV tdocker_hosts (key: its host token), refreshed by its
// heartbeat; the bucket's TTL removes a host that stopped beating.

export interface HostInfo {
  host: string;
  grpcAddress?: string;
  version?: string;
  capacity?: object;
  running: number;
  /** When this daemon's bus started (RFC 3339). */
  startedAt: string;
  /** When this record was written (RFC 3339). */
  updatedAt: string;
}
