// POSIX pax extended header records: "<length> <key>=<value>\n", the length counting the whole
// record. Values stay bytes: SCHILY.xattr.* values are binary (security.capability), every other
// key is UTF-8 text.

import { invalid } from '../errors/tdocker-error.js';

export type PaxRecords = Map<string, Buffer>;

export function parsePax(data: Buffer, at: number): PaxRecords {
  const records: PaxRecords = new Map();
  let pos = 0;
  while (pos < data.length) {
    // Some writers pad the data with NULs after the last record.
    if (data[pos] === 0) break;
    const space = data.indexOf(0x20, pos);
    if (space === -1 || space - pos > 20) throw invalid(`corrupt pax header at offset ${at}: bad record length`);
    const lenText = data.toString('latin1', pos, space);
    if (!/^[1-9][0-9]*$/.test(lenText)) throw invalid(`corrupt pax header at offset ${at}: bad record length`);
    const len = Number(lenText);
    const end = pos + len;
    if (end > data.length || data[end - 1] !== 0x0a) throw invalid(`corrupt pax header at offset ${at}: record overruns its header`);
    const eq = data.indexOf(0x3d, space + 1);
    if (eq === -1 || eq >= end - 1) throw invalid(`corrupt pax header at offset ${at}: record without '='`);
    records.set(data.toString('utf8', space + 1, eq), data.subarray(eq + 1, end - 1));
    pos = end;
  }
  return records;
}

/** One pax record, ready to be written: the length prefix counts its own digits. */
export function paxRecord(key: string, value: Buffer | string): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`), Buffer.isBuffer(value) ? value : Buffer.from(value), Buffer.from('\n')]);
  let len = body.length + 1;
  while (String(len).length + body.length !== len) len = String(len).length + body.length;
  return Buffer.concat([Buffer.from(String(len)), body]);
}
