// Progress of byte transfers for import, load, save and pull: on a terminal, one bar per item (a
// layer, or the one archive) redrawn in place with bytes, total and rate; otherwise plain lines
// a log can keep: one when an item starts, one every few seconds while it moves, and one when it
// ends ("<item>: <what> <size> in <time> (<rate>)").
import { humanSize } from '../format/human-size.js';

export interface ProgressOutput {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  /** Draw bars (default: whether the output is a terminal). */
  tty?: boolean;
  now?: () => number;
  /** Plain lines: at most one per item this often while it moves (default 2 s). */
  plainEveryMs?: number;
  /** Bars: redraw at most this often (default 100 ms). */
  redrawEveryMs?: number;
}

interface Item {
  id: string;
  label: string;
  bytes: number;
  total?: number;
  startedAt: number;
  /** For the rate: bytes at a recent instant. */
  sample: { at: number; bytes: number };
  rate: number;
  done?: string;
  printedAt?: number;
}

const BAR = 30;

export function rateText(bytesPerSecond: number): string {
  return `${humanSize(Math.max(0, Math.round(bytesPerSecond)))}/s`;
}

export function elapsedText(ms: number): string {
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
}

export class TransferProgress {
  readonly tty: boolean;
  readonly #out: ProgressOutput;
  readonly #now: () => number;
  readonly #plainEvery: number;
  readonly #redrawEvery: number;
  readonly #items = new Map<string, Item>();
  #drawn = 0;
  #drawnAt = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(out: ProgressOutput, opts: ProgressOptions = {}) {
    this.#out = out;
    this.tty = opts.tty ?? out.isTTY === true;
    this.#now = opts.now ?? Date.now;
    this.#plainEvery = opts.plainEveryMs ?? 2000;
    this.#redrawEvery = opts.redrawEveryMs ?? 100;
  }

  /** A line of its own, above the bars. */
  status(text: string): void {
    if (!this.tty) {
      this.#out.write(`${text}\n`);
      return;
    }
    this.#out.write(`${this.#up()}\x1b[2K${text}\n`);
    this.#drawn = 0;
    this.#draw();
  }

  /** Starts or moves an item: `bytes` so far of `total` (unknown: undefined). */
  update(id: string, label: string, bytes: number, total?: number): void {
    const now = this.#now();
    let item = this.#items.get(id);
    if (!item) {
      item = { id, label, bytes, ...(total ? { total } : {}), startedAt: now, sample: { at: now, bytes: 0 }, rate: 0 };
      this.#items.set(id, item);
      if (!this.tty) {
        item.printedAt = now;
        this.#out.write(`${id}: ${label}${this.#amount(item)}\n`);
      }
    }
    item.label = label;
    item.bytes = bytes;
    if (total) item.total = total;
    if (now - item.sample.at >= 500) {
      item.rate = ((bytes - item.sample.bytes) * 1000) / (now - item.sample.at);
      item.sample = { at: now, bytes };
    } else if (!item.rate && now > item.startedAt) {
      item.rate = (bytes * 1000) / (now - item.startedAt);
    }
    if (!this.tty) {
      if (now - (item.printedAt ?? 0) >= this.#plainEvery) {
        item.printedAt = now;
        this.#out.write(`${id}: ${label}${this.#amount(item)}\n`);
      }
      return;
    }
    this.#schedule();
  }

  /** An item's end: `text` ("Pull complete", "Loaded") with its size, time and rate. */
  complete(id: string, text: string, opts: { bytes?: number; quiet?: boolean } = {}): void {
    const now = this.#now();
    let item = this.#items.get(id);
    if (!item) {
      item = { id, label: text, bytes: opts.bytes ?? 0, startedAt: now, sample: { at: now, bytes: 0 }, rate: 0 };
      this.#items.set(id, item);
    }
    if (opts.bytes !== undefined) item.bytes = opts.bytes;
    const ms = now - item.startedAt;
    const detail = opts.quiet || !item.bytes ? '' : ` ${humanSize(item.bytes)} in ${elapsedText(ms)}${ms > 0 ? ` (${rateText((item.bytes * 1000) / ms)})` : ''}`;
    item.done = `${text}${detail}`;
    if (!this.tty) {
      this.#out.write(`${id}: ${item.done}\n`);
      return;
    }
    this.#draw();
  }

  /** Draws the last state (a terminal keeps the bars as they ended); later lines go below. */
  end(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.tty) this.#draw();
    this.#items.clear();
    this.#drawn = 0;
  }

  /** Removes the bars from a terminal (before an error line). */
  clear(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.tty && this.#drawn) this.#out.write(`${this.#up()}\x1b[J`);
    this.#drawn = 0;
  }

  #amount(item: Item): string {
    if (!item.bytes && !item.total) return '';
    return ` ${humanSize(item.bytes)}${item.total ? `/${humanSize(item.total)}` : ''}`;
  }

  #up(): string {
    return this.#drawn ? `\x1b[${this.#drawn}A\r` : '\r';
  }

  #schedule(): void {
    if (this.#timer) return;
    const wait = this.#drawnAt + this.#redrawEvery - this.#now();
    if (wait <= 0) {
      this.#draw();
      return;
    }
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#draw();
    }, wait);
    this.#timer.unref();
  }

  #line(item: Item): string {
    if (item.done) return `${item.id}: ${item.done}`.slice(0, Math.max(40, this.#out.columns ?? 80) - 1);
    const width = Math.max(40, this.#out.columns ?? 80);
    let bar = '';
    if (item.total) {
      const filled = Math.min(BAR, Math.floor((item.bytes / item.total) * BAR));
      bar = ` [${'='.repeat(Math.max(0, filled - 1))}${filled > 0 ? (filled === BAR ? '=' : '>') : ''}${' '.repeat(BAR - filled)}]`;
    }
    const rate = item.rate > 0 ? ` ${rateText(item.rate)}` : '';
    const rest = `: ${item.label}${bar}${this.#amount(item)}${rate}`;
    // A long name (a file's path) gives way first: the numbers matter more.
    const room = width - 1 - rest.length;
    const id = item.id.length <= room ? item.id : room > 4 ? `…${item.id.slice(item.id.length - room + 1)}` : '';
    const text = `${id}${rest}`;
    return text.length > width - 1 ? text.slice(0, width - 1) : text;
  }

  #draw(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#drawnAt = this.#now();
    if (!this.#items.size && !this.#drawn) return;
    let text = this.#up();
    for (const item of this.#items.values()) text += `\x1b[2K${this.#line(item)}\n`;
    this.#out.write(text);
    this.#drawn = this.#items.size;
  }
}
