// One member of a tar archive as the reader hands it on, after pax and GNU long-name headers
// have been folded in.

export type TarEntryType = 'file' | 'link' | 'symlink' | 'char' | 'block' | 'dir' | 'fifo';

export interface TarEntry {
  /** The member name exactly as archived (not yet made safe). */
  path: string;
  type: TarEntryType;
  /** Permission bits including setuid, setgid and sticky (07777). */
  mode: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  /** Bytes of data that follow; non-zero only for regular files. */
  size: number;
  /** Seconds since the epoch; fractional when a pax header said so. */
  mtime: number;
  /** Target of a symlink or hard link. */
  linkpath: string;
  devmajor: number;
  devminor: number;
  /** Extended attributes from pax SCHILY.xattr.* records. */
  xattrs?: Map<string, Buffer>;
  /** Offset of the member's first header in the archive, for messages. */
  offset: number;
}

/** What the reader calls, synchronously, as it walks the archive. */
export interface TarSink {
  entry(entry: TarEntry): void;
  /** Data of the current entry, in order; the buffer is only valid during the call. */
  data(chunk: Buffer): void;
  entryEnd(): void;
  /** Every archive byte that is not entry data (headers, pax data, padding, the trailer). */
  raw?(chunk: Buffer): void;
}
