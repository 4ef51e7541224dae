// Writes cpuset.cpus or cpuset.mems, saying what the parent allows when the kernel refuses.
import { posix } from 'node:path';
import { TdockerError } from '../errors/tdocker-error.js';
import { CgroupDir } from './cgroup-dir.js';

/** `parentFile` is what bounds the value: cpuset.effective_cpus (v1) or cpuset.cpus.effective (v2). */
export async function writeCpuset(dir: CgroupDir, name: string, value: string, parentFile: string): Promise<void> {
  try {
    await dir.write(name, value);
  } catch (err) {
    if (!(err instanceof TdockerError) || err.code !== 'INVALID_ARGUMENT') throw err;
    const parent = new CgroupDir(dir.fs, posix.dirname(dir.path));
    const allowed = await parent.read(parentFile).catch(() => '?');
    const what = name === 'cpuset.cpus' ? 'cpus' : 'memory nodes';
    throw new TdockerError('INVALID_ARGUMENT', `cannot set ${name} to '${value}' in ${dir.path}: not within the parent's ${what} '${allowed}'`, {
      cause: err,
      sys: { syscall: err.syscall ?? 'write', errno: err.errno ?? 0, path: dir.file(name) },
    });
  }
}
