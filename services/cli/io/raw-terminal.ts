// Raw mode for `-it`: every key, Ctrl-C included, goes to the container as a byte, and the
// container's terminal does the echoing and the output processing. libuv's raw mode keeps the
// output processing of the user's terminal (ONLCR: "\n" becomes "\r\n"), which would turn a
// curses program's bare line feeds into carriage returns; Node has no termios call, so when asked
// the caller turns it off with `stty -opost` (what Docker's raw mode does too). Whatever happens after, the user's terminal must come
// back as it was: restore() on the normal path, and a process 'exit' hook for every other one
// (process.exit from an error path, an uncaught exception). Signals that end the CLI while it is
// raw are handled by the caller, which restores and exits.

/** The part of tty.ReadStream used here. */
export interface RawModeTty {
  isTTY?: boolean;
  isRaw?: boolean;
  setRawMode(mode: boolean): unknown;
}

/** The part of `process` used here. */
export interface ExitHooks {
  on(event: 'exit', listener: () => void): unknown;
  removeListener(event: 'exit', listener: () => void): unknown;
}

export class RawTerminal {
  readonly #tty: RawModeTty;
  readonly #hooks: ExitHooks;
  readonly #wasRaw: boolean;
  #restored = false;
  readonly #onExit = () => this.restore();

  private constructor(tty: RawModeTty, hooks: ExitHooks) {
    this.#tty = tty;
    this.#hooks = hooks;
    this.#wasRaw = tty.isRaw === true;
  }

  /**
   * Puts a terminal in raw mode; undefined (nothing done) when `tty` is not a terminal.
   * `afterRaw` runs once it is raw (stty -opost); setRawMode(false) undoes what it changed, as
   * libuv restores the whole terminal state it saved.
   */
  static enter(tty: RawModeTty, hooks: ExitHooks = process, afterRaw?: () => void): RawTerminal | undefined {
    if (!tty.isTTY) return undefined;
    const raw = new RawTerminal(tty, hooks);
    hooks.on('exit', raw.#onExit);
    tty.setRawMode(true);
    afterRaw?.();
    return raw;
  }

  get restored(): boolean {
    return this.#restored;
  }

  /** Puts the terminal back as it was; safe to call more than once. */
  restore(): void {
    if (this.#restored) return;
    this.#restored = true;
    this.#hooks.removeListener('exit', this.#onExit);
    try {
      this.#tty.setRawMode(this.#wasRaw);
    } catch {
      // The terminal is gone (hung up): there is nothing left to restore.
    }
  }
}
