// The v1 freezer: freezer.state goes THAWED → FREEZING → FROZEN.
import { TdockerError } from '../errors/tdocker-error.js';
import type { CgroupDir } from './cgroup-dir.js';
import { pollUntil } from './poll-until.js';

export const FREEZE_TIMEOUT_MS = 5000;

export async function freezeV1(dir: CgroupDir): Promise<void> {
  const frozen = await pollUntil(async () => {
    // A freeze can stall in FREEZING (a task in uninterruptible sleep); writing FROZEN again
    // retries it, as runc does.
    await dir.write('freezer.state', 'FROZEN');
    return (await dir.read('freezer.state')) === 'FROZEN';
  }, FREEZE_TIMEOUT_MS);
  if (!frozen) {
    await dir.write('freezer.state', 'THAWED');
    throw new TdockerError('UNAVAILABLE', `cgroup ${dir.path} did not freeze within ${FREEZE_TIMEOUT_MS / 1000} s (left thawed)`);
  }
}

export async function thawV1(dir: CgroupDir): Promise<void> {
  await dir.write('freezer.state', 'THAWED');
  await pollUntil(async () => (await dir.read('freezer.state')) === 'THAWED', FREEZE_TIMEOUT_MS);
}

export async function isFrozenV1(dir: CgroupDir): Promise<boolean> {
  return (await dir.read('freezer.state')) !== 'THAWED';
}
