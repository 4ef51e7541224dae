// Every live key of a KV bucket with its latest value, in one pass: an ordered consumer over the
// bucket's stream that delivers the last message per subject (one fetch, no per-key gets).
import { DeliverPolicy, type JetStreamClient } from '@nats-io/jetstream';

export interface KvSnapshotEntry {
  key: string;
  value: Uint8Array;
  /** When the value was stored. */
  time: Date;
}

export async function kvSnapshot(js: JetStreamClient, bucket: string): Promise<KvSnapshotEntry[]> {
  const prefix = `$KV.${bucket}.`;
  const consumer = await js.consumers.get(`KV_${bucket}`, {
    deliver_policy: DeliverPolicy.LastPerSubject,
    filter_subjects: `${prefix}>`,
  });
  const out: KvSnapshotEntry[] = [];
  try {
    let left = (await consumer.info(true)).num_pending;
    while (left > 0) {
      const batch = await consumer.fetch({ max_messages: Math.min(left, 1000), expires: 2000 });
      let got = 0;
      for await (const m of batch) {
        got++;
        left = m.info.pending;
        const op = m.headers?.get('KV-Operation');
        if (op !== 'DEL' && op !== 'PURGE') out.push({ key: m.subject.slice(prefix.length), value: m.data, time: m.time });
        if (left === 0) break;
      }
      if (!got) break;
    }
  } finally {
    await consumer.delete().catch(() => {});
  }
  return out;
}
