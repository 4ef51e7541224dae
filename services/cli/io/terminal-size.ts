// The size of the user's terminal, as the container's pty should have it: taken from stdout
// when it is a terminal (that is where the container's output is drawn), else from stderr.
import type { TerminalSize } from '../../../proto/gen/tinydocker/v1/containers.js';

/** The part of tty.WriteStream used here. */
export interface SizedOutput {
  isTTY?: boolean;
  rows?: number;
  columns?: number;
}

export function terminalSizeOf(...outputs: SizedOutput[]): TerminalSize | undefined {
  const tty = outputs.find((o) => o.isTTY && (o.rows ?? 0) > 0 && (o.columns ?? 0) > 0);
  return tty ? { rows: tty.rows!, cols: tty.columns! } : undefined;
}
