// What has been done so far, each with its undo; on failure the undos run newest first so that
// nothing stays half-made (DESIGN.md "Lifecycle": a failed step leaves things as if never tried).

import { TdockerError } from '../errors/tdocker-error.js';

export class Rollback {
  private readonly undos: Array<{ what: string; undo: () => void }> = [];

  push(what: string, undo: () => void): void {
    this.undos.push({ what, undo });
  }

  /** Runs every undo, newest first, going on past failures; returns them. */
  run(): Error[] {
    const failures: Error[] = [];
    for (let step = this.undos.pop(); step; step = this.undos.pop()) {
      try {
        step.undo();
      } catch (err) {
        failures.push(new Error(`${step.what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err }));
      }
    }
    return failures;
  }

  /** Undoes everything and throws `err`, naming what could not be undone. */
  fail(err: unknown): never {
    const first = TdockerError.from(err);
    const failures = this.run();
    if (failures.length === 0) throw first;
    const sys = first.syscall !== undefined && first.errno !== undefined ? { syscall: first.syscall, errno: first.errno, path: first.path } : undefined;
    throw new TdockerError(first.code, `${first.message} (cleanup also failed: ${failures.map((f) => f.message).join('; ')})`, {
      cause: new AggregateError([first, ...failures]),
      sys,
    });
  }
}
