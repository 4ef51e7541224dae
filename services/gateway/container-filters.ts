// `ps --filter` as Docker has it: same key ORed, different keys ANDed; unknown keys refused.
import { invalid } from '../errors/tdocker-error.js';
import type { ContainerView } from '../supervisor/supervisor.js';
import type { Filter } from '../../proto/gen/tinydocker/v1/containers.js';
import { exitCodeOf } from './container-inspect.js';

const STATUSES = new Set(['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead']);
const KEYS = new Set(['id', 'name', 'label', 'status', 'ancestor', 'exited']);

export type ContainerPredicate = (v: ContainerView) => boolean;

export function containerFilter(filters: readonly Filter[]): ContainerPredicate {
  const byKey = new Map<string, string[]>();
  for (const f of filters) {
    if (!KEYS.has(f.key)) throw invalid(`invalid filter "${f.key}": use id, name, label, status, ancestor or exited`);
    if (f.key === 'status' && !STATUSES.has(f.value)) {
      throw invalid(`invalid filter "status=${f.value}": use created, restarting, running, removing, paused, exited or dead`);
    }
    if (f.key === 'exited' && !/^-?\d+$/.test(f.value)) throw invalid(`invalid filter "exited=${f.value}": give an exit code`);
    byKey.set(f.key, [...(byKey.get(f.key) ?? []), f.value]);
  }
  const tests = [...byKey].map(([key, values]) => (v: ContainerView) => values.some((value) => matches(key, value, v)));
  return (v) => tests.every((t) => t(v));
}

function matches(key: string, value: string, v: ContainerView): boolean {
  switch (key) {
    case 'id':
      return v.record.id.startsWith(value);
    case 'name': {
      // Docker matches names as a regular expression; a bad one matches as plain text.
      try {
        return new RegExp(value).test(v.record.name) || new RegExp(value).test(`/${v.record.name}`);
      } catch {
        return v.record.name.includes(value);
      }
    }
    case 'label': {
      const eq = value.indexOf('=');
      if (eq < 0) return Object.hasOwn(v.record.labels, value);
      return v.record.labels[value.slice(0, eq)] === value.slice(eq + 1);
    }
    case 'status':
      return v.state === value;
    case 'ancestor': {
      const { ref, id } = v.record.image;
      const bare = (r: string) => (r.includes(':') && !r.startsWith('sha256:') ? r : `${r}:latest`);
      return ref === value || bare(ref) === bare(value) || id === value || id.replace(/^sha256:/, '').startsWith(value.replace(/^sha256:/, ''));
    }
    case 'exited':
      return v.state === 'exited' && exitCodeOf(v) === Number(value);
  }
  return false;
}
