// One cgroup directory and the typed reads and writes of its control files.
import { join } from 'node:path';
import type { CgroupFs } from './cgroup-fs.js';
import { cgroupFileError, type ErrnoHints } from './cgroup-file-error.js';

// v1 reports "no limit" as LONG_MAX rounded down to a page; anything this large is no limit.
const UNLIMITED = 2n ** 62n;

export class CgroupDir {
  constructor(readonly fs: CgroupFs, readonly path: string) {}

  file(name: string): string {
    return join(this.path, name);
  }

  has(name: string): Promise<boolean> {
    return this.fs.exists(this.file(name));
  }

  async read(name: string): Promise<string> {
    const path = this.file(name);
    try {
      return (await this.fs.readFile(path)).trim();
    } catch (err) {
      throw cgroupFileError(err, `cannot read ${path}`, path);
    }
  }

  async write(name: string, value: string | number, hints?: ErrnoHints): Promise<void> {
    const path = this.file(name);
    try {
      await this.fs.writeFile(path, String(value));
    } catch (err) {
      throw cgroupFileError(err, `cannot set ${name} to '${value}' in ${this.path}`, path, hints);
    }
  }

  async readBigInt(name: string): Promise<bigint> {
    const text = await this.read(name);
    return text === 'max' ? UNLIMITED : BigInt(text);
  }

  /** The value, or undefined for `max`, v1's "unlimited" and -1. */
  async readLimit(name: string): Promise<number | undefined> {
    const v = await this.readBigInt(name);
    return v < 0n || v >= UNLIMITED ? undefined : Number(v);
  }

  async readNumber(name: string): Promise<number> {
    return Number(await this.readBigInt(name));
  }

  /** Files of `key value` lines: memory.events, memory.oom_control, cpu.stat, cgroup.events. */
  async readKeyed(name: string): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const line of (await this.read(name)).split('\n')) {
      const [key, value] = line.trim().split(/\s+/);
      if (key && value !== undefined) out.set(key, Number(value));
    }
    return out;
  }

  async readPids(): Promise<number[]> {
    const text = await this.read('cgroup.procs');
    return text.split('\n').filter(Boolean).map(Number);
  }
}
