// The v2 freezer: cgroup.freeze asks, cgroup.events `frozen 1` says it is done.
import { TdockerError } from '../errors/tdocker-error.js';
import type { CgroupDir } from './cgroup-dir.js';
import { pollUntil } from './poll-until.js';
import { FREEZE_TIMEOUT_MS } from './v1-freezer.js';

const frozenIs = (dir: CgroupDir, want: number) => async () => (await dir.readKeyed('cgroup.events')).get('frozen') === want;

export async function freezeV2(dir: CgroupDir): Promise<void> {
  await dir.write('cgroup.freeze', '1');
  if (!(await pollUntil(frozenIs(dir, 1), FREEZE_TIMEOUT_MS))) {
    await dir.write('cgroup.freeze', '0');
    throw new TdockerError('UNAVAILABLE', `cgroup ${dir.path} did not freeze within ${FREEZE_TIMEOUT_MS / 1000} s (left thawed)`);
  }
}

export async function thawV2(dir: CgroupDir): Promise<void> {
  await dir.write('cgroup.freeze', '0');
  await pollUntil(frozenIs(dir, 0), FREEZE_TIMEOUT_MS);
}

export async function isFrozenV2(dir: CgroupDir): Promise<boolean> {
  return (await dir.read('cgroup.freeze')) === '1';
}
