// Finds the cgroup filesystems in the text of /proc/self/mountinfo or /proc/self/mounts.

export interface CgroupMount {
  type: 'cgroup' | 'cgroup2';
  mountpoint: string;
  /** The cgroup this mount shows as its top (mountinfo only; `/` for /proc/self/mounts). */
  root: string;
  /** v1: the controllers and `name=` of the hierarchy, e.g. ['cpu', 'cpuacct']; v2: []. */
  controllers: string[];
}

const V1_CONTROLLERS = new Set([
  'cpu', 'cpuacct', 'cpuset', 'memory', 'devices', 'freezer', 'net_cls', 'blkio', 'perf_event',
  'net_prio', 'hugetlb', 'pids', 'rdma', 'misc', 'debug',
]);

// Both files escape space, tab, newline and backslash as \ooo.
const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

const controllersOf = (options: string) =>
  options.split(',').filter((o) => V1_CONTROLLERS.has(o) || o.startsWith('name='));

export function parseCgroupMounts(text: string): CgroupMount[] {
  const out: CgroupMount[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(' ');
    const dash = fields.indexOf('-');
    if (dash >= 6) {
      // mountinfo: id parent major:minor root mountpoint options [optional…] - fstype source superoptions
      const type = fields[dash + 1];
      if (type !== 'cgroup' && type !== 'cgroup2') continue;
      out.push({
        type,
        mountpoint: unescape(fields[4]),
        root: unescape(fields[3]),
        controllers: type === 'cgroup' ? controllersOf(fields[dash + 3] ?? '') : [],
      });
    } else if (fields.length >= 4) {
      // mounts: source mountpoint fstype options dump pass
      const type = fields[2];
      if (type !== 'cgroup' && type !== 'cgroup2') continue;
      out.push({
        type,
        mountpoint: unescape(fields[1]),
        root: '/',
        controllers: type === 'cgroup' ? controllersOf(fields[3]) : [],
      });
    }
  }
  return out;
}
