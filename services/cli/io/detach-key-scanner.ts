// Finds the detach keys (Ctrl-P Ctrl-Q unless --detach-keys says otherwise) in what the user
// types, as Docker's escape proxy does: bytes that could be the start of the sequence are held
// back; when the sequence completes the CLI detaches and they are never sent; when it breaks,
// the held bytes go on to the container after all. A sequence may span reads (chunks).

export interface ScanResult {
  /** Bytes for the container's stdin, in order (possibly empty). */
  forward: Buffer;
  /** The whole sequence was typed: detach, and send nothing after it. */
  detached: boolean;
}

export class DetachKeyScanner {
  readonly #keys: readonly number[];
  /** The bytes held back: always a proper prefix of the sequence. */
  #pending: number[] = [];

  constructor(keys: readonly number[]) {
    this.#keys = keys;
  }

  /** Bytes held back so far, for a caller that stops reading (stdin ended): send them then. */
  takeHeld(): Buffer {
    const held = Buffer.from(this.#pending);
    this.#pending = [];
    return held;
  }

  feed(chunk: Uint8Array): ScanResult {
    const keys = this.#keys;
    if (keys.length === 0) return { forward: Buffer.from(chunk), detached: false };
    const out: number[] = [];
    const pending = this.#pending;
    for (const byte of chunk) {
      pending.push(byte);
      // While what is held cannot begin the sequence, its first byte is input after all; the
      // rest may still begin it (Ctrl-P Ctrl-P Ctrl-Q detaches).
      while (pending.length > 0 && !pending.every((b, i) => b === keys[i])) out.push(pending.shift()!);
      if (pending.length === keys.length) {
        this.#pending = [];
        return { forward: Buffer.from(out), detached: true };
      }
    }
    return { forward: Buffer.from(out), detached: false };
  }
}
