// --restart: no | always | unless-stopped | on-failure[:max-retries], as Docker.
import type { RestartPolicy } from '../../../proto/gen/tinydocker/v1/containers.js';
import { restartPolicyName } from '../proto-enums.js';
import { InvalidValue } from './invalid-value.js';

export function parseRestartPolicy(value: string): RestartPolicy {
  const [name = '', count, ...extra] = value.split(':');
  const code = Object.hasOwn(restartPolicyName, name) ? restartPolicyName[name as keyof typeof restartPolicyName] : undefined;
  if (code === undefined || extra.length > 0) {
    throw new InvalidValue(`invalid restart policy '${value}' (want no, always, unless-stopped or on-failure[:max-retries])`);
  }
  if (count === undefined) return { name: code, maximumRetryCount: 0 };
  if (name !== 'on-failure') throw new InvalidValue(`maximum retry count cannot be used with restart policy '${name}'`);
  if (!/^\d+$/.test(count)) throw new InvalidValue(`maximum retry count must be a whole number, not '${count}'`);
  return { name: code, maximumRetryCount: Number(count) };
}
