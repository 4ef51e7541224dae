// Docker's `--change` instructions (import -c, commit -c) as image config fields: CMD and
// ENTRYPOINT (JSON array, or shell form run by /bin/sh -c), ENV, LABEL, EXPOSE, VOLUME, USER,
// WORKDIR, STOPSIGNAL. Anything else is INVALID_ARGUMENT, before anything is made.
import { invalid } from '../errors/tdocker-error.js';
import type { ImageConfigFields } from './image-source.js';

export interface ChangedConfig extends Omit<ImageConfigFields, 'ExposedPorts'> {
  ExposedPorts?: Record<string, object>;
  Volumes?: Record<string, object>;
}

function commandForm(what: string, rest: string): string[] {
  if (rest.startsWith('[')) {
    let v: unknown;
    try {
      v = JSON.parse(rest);
    } catch {
      v = undefined;
    }
    if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return v as string[];
  }
  if (!rest) throw invalid(`${what} needs a command`);
  return ['/bin/sh', '-c', rest];
}

/** Splits `K=V K2="v 2"` pairs, or the old `K V` form of a single pair. */
function pairs(what: string, rest: string): [string, string][] {
  if (!rest.includes('=')) {
    const m = /^(\S+)\s+(.*)$/.exec(rest);
    if (!m) throw invalid(`${what} needs KEY=VALUE`);
    return [[m[1]!, m[2]!]];
  }
  const out: [string, string][] = [];
  for (const m of rest.matchAll(/([^\s=]+)=("((?:[^"\\]|\\.)*)"|\S*)/g)) {
    out.push([m[1]!, m[3] !== undefined ? m[3].replace(/\\(.)/g, '$1') : m[2]!]);
  }
  if (!out.length) throw invalid(`${what} needs KEY=VALUE`);
  return out;
}

function words(rest: string): string[] {
  if (rest.startsWith('[')) {
    try {
      const v = JSON.parse(rest) as unknown;
      if (Array.isArray(v)) return v.map(String);
    } catch {
      // plain words
    }
  }
  return rest.split(/\s+/).filter(Boolean);
}

/** The config `base` with the changes applied, in order. */
export function applyChanges(base: ChangedConfig, changes: readonly string[]): ChangedConfig {
  const c: ChangedConfig = { ...base };
  for (const line of changes) {
    const m = /^\s*(\S+)\s*(.*?)\s*$/s.exec(line);
    if (!m) continue;
    const word = m[1]!.toUpperCase();
    const rest = m[2]!;
    switch (word) {
      case 'CMD': c.Cmd = commandForm('CMD', rest); break;
      case 'ENTRYPOINT': c.Entrypoint = commandForm('ENTRYPOINT', rest); break;
      case 'ENV': {
        const env = [...(c.Env ?? [])];
        for (const [k, v] of pairs('ENV', rest)) {
          const i = env.findIndex((e) => e.split('=', 1)[0] === k);
          if (i >= 0) env[i] = `${k}=${v}`;
          else env.push(`${k}=${v}`);
        }
        c.Env = env;
        break;
      }
      case 'LABEL': c.Labels = { ...(c.Labels ?? {}), ...Object.fromEntries(pairs('LABEL', rest)) }; break;
      case 'EXPOSE': {
        const ports: Record<string, object> = { ...(c.ExposedPorts ?? {}) };
        for (const p of words(rest)) {
          if (!/^\d+(-\d+)?(\/(tcp|udp|sctp))?$/i.test(p)) throw invalid(`EXPOSE: invalid port "${p}"`);
          ports[p.includes('/') ? p.toLowerCase() : `${p}/tcp`] = {};
        }
        c.ExposedPorts = ports;
        break;
      }
      case 'VOLUME': c.Volumes = { ...(c.Volumes ?? {}), ...Object.fromEntries(words(rest).map((v) => [v, {}])) }; break;
      case 'USER': c.User = rest; break;
      case 'WORKDIR': c.WorkingDir = rest; break;
      case 'STOPSIGNAL': c.StopSignal = rest; break;
      default: throw invalid(`${m[1]} is not a valid change command (want one of CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR)`);
    }
  }
  return c;
}
