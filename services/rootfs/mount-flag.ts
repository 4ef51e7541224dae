// `--mount type=bind|tmpfs,…` as the Docker CLI reads it (a CSV line of key[=value] fields).

import { invalid } from '../errors/tdocker-error.js';
import { parseByteSize } from './byte-size.js';
import { checkDestination, checkSource, PROPAGATIONS, type MountSpec, type Propagation } from './mount-spec.js';

export function parseMountFlag(spec: string): MountSpec {
  const fields = new Map<string, string | undefined>();
  for (const field of splitCsv(spec)) {
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).trim().toLowerCase();
    const value = eq < 0 ? undefined : field.slice(eq + 1);
    if (!key) throw invalid(`invalid --mount '${spec}': empty field`);
    if (fields.has(canonical(key))) throw invalid(`invalid --mount '${spec}': '${key}' given twice`);
    fields.set(canonical(key), value);
  }
  const type = fields.get('type') ?? 'volume';
  const take = (key: string): string | undefined => {
    const v = fields.get(key);
    fields.delete(key);
    return v;
  };
  take('type');
  const readonly = parseBool(fields.has('readonly'), take('readonly'), 'readonly', spec);
  const target = take('target');
  if (target === undefined || target === '') throw invalid(`invalid --mount '${spec}': target is required`);
  const destination = checkDestination(target, 'mount');
  take('consistency'); // a Docker Desktop hint; nothing to do on Linux

  let mount: MountSpec;
  if (type === 'bind') {
    const source = take('source');
    if (source === undefined || source === '') throw invalid(`invalid --mount '${spec}': source is required for a bind mount`);
    const propagation = take('bind-propagation') ?? 'rprivate';
    if (!PROPAGATIONS.includes(propagation as Propagation)) {
      throw invalid(`invalid --mount '${spec}': bind-propagation '${propagation}' is not one of ${PROPAGATIONS.join(', ')}`);
    }
    const nonRecursive = parseBool(fields.has('bind-nonrecursive'), take('bind-nonrecursive'), 'bind-nonrecursive', spec);
    mount = {
      type: 'bind',
      source: checkSource(source, 'mount'),
      destination,
      readonly,
      recursive: !nonRecursive,
      propagation: propagation as Propagation,
    };
  } else if (type === 'tmpfs') {
    if (fields.has('source')) throw invalid(`invalid --mount '${spec}': a tmpfs mount takes no source`);
    const size = take('tmpfs-size');
    const mode = take('tmpfs-mode');
    if (mode !== undefined && !/^[0-7]{1,4}$/.test(mode)) throw invalid(`invalid --mount '${spec}': tmpfs-mode '${mode}' is not an octal mode`);
    mount = {
      type: 'tmpfs',
      destination,
      readonly,
      ...(size !== undefined ? { sizeBytes: parseByteSize(size, 'tmpfs-size') } : {}),
      ...(mode !== undefined ? { mode: parseInt(mode, 8) } : {}),
      exec: false,
      suid: false,
      dev: false,
    };
  } else if (type === 'volume') {
    throw invalid(`invalid --mount '${spec}': named volumes are not supported, use type=bind with an absolute source`);
  } else {
    throw invalid(`invalid --mount '${spec}': type '${type}' is not supported (bind or tmpfs)`);
  }
  const [unknown] = fields.keys();
  if (unknown !== undefined) throw invalid(`invalid --mount '${spec}': unexpected key '${unknown}' for type=${type}`);
  return mount;
}

function canonical(key: string): string {
  switch (key) {
    case 'src':
      return 'source';
    case 'dst':
    case 'destination':
      return 'target';
    case 'ro':
      return 'readonly';
    default:
      return key;
  }
}

function parseBool(present: boolean, value: string | undefined, key: string, spec: string): boolean {
  if (!present) return false;
  if (value === undefined) return true;
  switch (value.toLowerCase()) {
    case '1':
    case 'true':
      return true;
    case '0':
    case 'false':
      return false;
    default:
      throw invalid(`invalid --mount '${spec}': ${key} '${value}' is not a boolean`);
  }
}

// encoding/csv as the Docker CLI uses it: fields split on commas, a field may be "quoted" and
// a quote inside a quoted field is doubled.
function splitCsv(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (i >= line.length) throw invalid(`invalid --mount '${line}': unterminated quote`);
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += line[i++];
      }
      if (i < line.length && line[i] !== ',') throw invalid(`invalid --mount '${line}': text after a closing quote`);
    } else {
      const comma = line.indexOf(',', i);
      const end = comma < 0 ? line.length : comma;
      field = line.slice(i, end);
      i = end;
    }
    out.push(field);
    if (i >= line.length) return out;
    i++; // the comma
  }
}
