// One attached session over an Attach or Exec call: the container's output frames to stdout and
// stderr, the user's stdin to stdin frames (with the detach keys looked for when a person types),
// terminal resizes to resize frames, and the end: an `exit` frame (the process ended) or a
// `detached` frame (the user detached; the process goes on). Backpressure both ways: a slow
// terminal pauses the call, a slow daemon pauses stdin.
import type { EventEmitter } from 'node:events';
import type { ExitStatus, IoFrame, TerminalSize } from '../../../proto/gen/tinydocker/v1/containers.js';
import { DetachKeyScanner } from './detach-key-scanner.js';
import { type SizedOutput, terminalSizeOf } from './terminal-size.js';

/** The client frames Attach and Exec share after their options. */
export type InputFrame =
  | { $case: 'stdin'; stdin: Buffer }
  | { $case: 'resize'; resize: TerminalSize }
  | { $case: 'closeStdin'; closeStdin: boolean }
  | { $case: 'detach'; detach: boolean };

/** The part of a grpc-js ClientDuplexStream used here. */
export interface IoCall extends EventEmitter {
  write(request: { frame?: InputFrame }): boolean;
  pause(): unknown;
  resume(): unknown;
  cancel(): void;
}

export type SessionEnd = { kind: 'exit'; status: ExitStatus } | { kind: 'detached' };

export interface StdioSessionOptions {
  call: IoCall;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** The user's input; unset when stdin is not attached. */
  stdin?: NodeJS.ReadableStream;
  /** Look for these keys in stdin and detach on them (a person at a terminal); unset: never. */
  detachKeys?: readonly number[];
  /** The terminal whose resizes to follow (a session with a tty); unset: none. */
  terminal?: SizedOutput & EventEmitter;
  /** How long to wait for the daemon's `detached` answer before leaving anyway. */
  detachTimeoutMs?: number;
}

/** A stream that ended without its last frame: the daemon went away or broke the contract. */
export class SessionLost extends Error {
  override name = 'SessionLost';
}

export function runStdioSession(opts: StdioSessionOptions): Promise<SessionEnd> {
  const { call, stdout, stderr, stdin, terminal } = opts;
  const scanner = opts.detachKeys && opts.detachKeys.length > 0 ? new DetachKeyScanner(opts.detachKeys) : undefined;
  const cleanups: (() => void)[] = [];
  const listen = (emitter: EventEmitter | NodeJS.ReadableStream, event: string, fn: (...args: never[]) => void) => {
    emitter.on(event, fn as (...args: unknown[]) => void);
    cleanups.push(() => emitter.removeListener(event, fn as (...args: unknown[]) => void));
  };

  // The call may still fail after the session ended (cancelled on the way out): never unhandled.
  call.on('error', () => {});

  return new Promise<SessionEnd>((resolve, reject) => {
    let settled = false;
    let detachTimer: NodeJS.Timeout | undefined;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      if (detachTimer) clearTimeout(detachTimer);
      for (const c of cleanups.splice(0)) c();
      stdin?.pause();
      fn();
    };

    const write = (frame: InputFrame) => {
      if (settled) return;
      if (!call.write({ frame }) && stdin) {
        stdin.pause();
        call.once('drain', () => !settled && stdin.resume());
      }
    };

    const output = (to: NodeJS.WritableStream, data: Buffer) => {
      if (!to.write(data)) {
        call.pause();
        to.once('drain', () => call.resume());
      }
    };

    listen(call, 'data', (f: IoFrame) => {
      const frame = f.frame;
      switch (frame?.$case) {
        case 'stdout': output(stdout, frame.stdout); break;
        case 'stderr': output(stderr, frame.stderr); break;
        case 'exit': settle(() => resolve({ kind: 'exit', status: frame.exit })); break;
        case 'detached': settle(() => resolve({ kind: 'detached' })); break;
        default: break; // `started` (exec) is the caller's
      }
    });
    listen(call, 'error', (err: Error) => settle(() => reject(err)));
    listen(call, 'end', () => settle(() => reject(new SessionLost('the daemon closed the stream before the process ended'))));

    const detach = () => {
      write({ $case: 'detach', detach: true });
      stdin?.pause();
      detachTimer = setTimeout(() => settle(() => resolve({ kind: 'detached' })), opts.detachTimeoutMs ?? 2000);
    };

    if (stdin) {
      listen(stdin, 'data', (chunk: Buffer | string) => {
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        if (!scanner) {
          write({ $case: 'stdin', stdin: bytes });
          return;
        }
        const { forward, detached } = scanner.feed(bytes);
        if (forward.length > 0) write({ $case: 'stdin', stdin: forward });
        if (detached) detach();
      });
      const eof = () => {
        const held = scanner?.takeHeld();
        if (held && held.length > 0) write({ $case: 'stdin', stdin: held });
        write({ $case: 'closeStdin', closeStdin: true });
      };
      listen(stdin, 'end', eof);
      // A terminal that hangs up reads EIO: that is the end of the input too.
      listen(stdin, 'error', eof);
      stdin.resume();
    }

    if (terminal) {
      listen(terminal, 'resize', () => {
        const size = terminalSizeOf(terminal);
        if (size) write({ $case: 'resize', resize: size });
      });
    }
  });
}
