// Reads the text of /proc/<pid>/cgroup: `N:controllers:/path` for each v1 hierarchy and
// `0::/path` for the v2 one.

export interface ProcCgroup {
  /** v1 controller (or `name=…`) → the process's cgroup path in that hierarchy. */
  v1: Map<string, string>;
  /** The process's cgroup in the v2 hierarchy, when there is one. */
  v2?: string;
}

export function parseProcCgroup(text: string): ProcCgroup {
  const out: ProcCgroup = { v1: new Map() };
  for (const line of text.split('\n')) {
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) continue;
    // The path may itself contain ':', so split only on the first two.
    const controllers = line.slice(first + 1, second);
    const path = line.slice(second + 1).trim();
    if (line.slice(0, first) === '0' && controllers === '') out.v2 = path;
    else for (const c of controllers.split(',')) if (c) out.v1.set(c, path);
  }
  return out;
}
