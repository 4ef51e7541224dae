// Every live key of a KV bucket with its latest value: the subjects the bucket's stream holds (one
// stream-info request, paged by the client), then a direct get per key, all in parallel. A consumer
// that stops at "no more pending" never stops on a bucket written to every few seconds (the
// heartbeats), and a key that expires in between is simply absent.
import type { JetStreamManager } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';

export interface KvSnapshotEntry {
  key: string;
  value: Uint8Array;
  /** When the value was stored. */
  time: Date;
}

export async function kvSnapshot(jsm: JetStreamManager, kv: KV, bucket: string): Promise<KvSnapshotEntry[]> {
  const prefix = `$KV.${bucket}.`;
  const info = await jsm.streams.info(`KV_${bucket}`, { subjects_filter: `${prefix}>` });
  const keys = Object.keys(info.state.subjects ?? {}).map((s) => s.slice(prefix.length));
  const entries = await Promise.all(keys.map((k) => kv.get(k)));
  const out: KvSnapshotEntry[] = [];
  for (const e of entries) {
    if (e && e.operation === 'PUT') out.push({ key: e.key, value: e.value, time: e.created });
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
