// `-v SRC:DST[:MODE]` as Docker's Linux parser reads it, restricted to bind mounts.

import { invalid } from '../errors/tdocker-error.js';
import { checkDestination, checkSource, PROPAGATIONS, type BindMountSpec, type Propagation } from './mount-spec.js';

// Docker's rule for a volume name; such a source means a named volume, not a host path.
const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export function parseVolumeFlag(spec: string): BindMountSpec {
  const parts = spec.split(':');
  if (parts.length > 3 || parts.some((p) => p === '')) throw invalid(`invalid volume specification: '${spec}'`);
  if (parts.length === 1 || (parts.length === 2 && isMode(parts[1]!))) {
    throw invalid(`invalid volume specification '${spec}': anonymous volumes are not supported, give a host path as SRC:DST`);
  }
  const [rawSource, rawDestination, mode = ''] = parts as [string, string, string?];
  if (VOLUME_NAME.test(rawSource)) {
    throw invalid(`invalid volume source '${rawSource}': named volumes are not supported, give an absolute host path`);
  }
  const source = checkSource(rawSource, 'volume');
  const destination = checkDestination(rawDestination, 'volume');
  const { readonly, propagation } = parseMode(mode, spec);
  return { type: 'bind', source, destination, readonly, recursive: true, propagation };
}

function isMode(s: string): boolean {
  return s.split(',').every((m) => m === 'ro' || m === 'rw' || m === 'z' || m === 'Z' || m === 'nocopy' || PROPAGATIONS.includes(m as Propagation));
}

function parseMode(mode: string, spec: string): { readonly: boolean; propagation: Propagation } {
  let readonly: boolean | undefined;
  let propagation: Propagation | undefined;
  let label = false;
  for (const m of mode ? mode.split(',') : []) {
    if (m === 'ro' || m === 'rw') {
      if (readonly !== undefined) throw invalid(`invalid volume mode '${mode}' in '${spec}': ro/rw given twice`);
      readonly = m === 'ro';
    } else if (PROPAGATIONS.includes(m as Propagation)) {
      if (propagation) throw invalid(`invalid volume mode '${mode}' in '${spec}': propagation given twice`);
      propagation = m as Propagation;
    } else if (m === 'z' || m === 'Z') {
      // SELinux relabelling: nothing to relabel on a host without SELinux, as Docker does there.
      if (label) throw invalid(`invalid volume mode '${mode}' in '${spec}': z/Z given twice`);
      label = true;
    } else if (m === 'nocopy') {
      throw invalid(`invalid volume mode '${mode}' in '${spec}': nocopy applies only to named volumes`);
    } else {
      throw invalid(`invalid volume mode '${m}' in '${spec}': expected ro, rw or a propagation (rprivate, rslave, …)`);
    }
  }
  return { readonly: readonly ?? false, propagation: propagation ?? 'rprivate' };
}
