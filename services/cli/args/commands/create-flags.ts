// The flags `run` and `create` share (Docker's container options), and the one function that
// turns them into a CreateContainerRequest.
import type {
  CreateContainerRequest,
  HostConfig,
  HostNetworking,
  LogConfig,
  PortBindings,
} from '../../../../proto/gen/tinydocker/v1/containers.js';
import { CliError } from '../../cli-error.js';
import { restartPolicyName } from '../../proto-enums.js';
import { InvalidValue } from '../../values/invalid-value.js';
import { parseContainerName } from '../../values/parse-container-name.js';
import { parseCpus } from '../../values/parse-cpus.js';
import { parseCpuset } from '../../values/parse-cpuset.js';
import { parseEnv } from '../../values/parse-env.js';
import { parseEnvFile } from '../../values/parse-env-file.js';
import { parseExtraHost } from '../../values/parse-extra-host.js';
import { parseImageReference } from '../../values/parse-image-reference.js';
import { parseInteger } from '../../values/parse-integer.js';
import { isIpAddress, isIpv4 } from '../../values/parse-ip-address.js';
import { parseLabel } from '../../values/parse-label.js';
import { applyLogOpt } from '../../values/parse-log-opt.js';
import { parseMount } from '../../values/parse-mount.js';
import { parseExpose, parsePublish } from '../../values/parse-port-spec.js';
import { parseRestartPolicy } from '../../values/parse-restart-policy.js';
import { parseSignal } from '../../values/parse-signal.js';
import { parseRamSize } from '../../values/parse-size.js';
import { parseTmpfs } from '../../values/parse-tmpfs.js';
import { parseUlimit } from '../../values/parse-ulimit.js';
import { parseVolume } from '../../values/parse-volume.js';
import type { CommandInput } from '../command-spec.js';
import type { FlagSpec } from '../flag-spec.js';

export const createFlags: readonly FlagSpec[] = [
  { name: 'add-host', kind: 'list', type: 'list', description: 'Add a custom host-to-IP mapping (host:ip)' },
  { name: 'cap-add', kind: 'list', type: 'list', description: 'Add Linux capabilities (NET_ADMIN, ALL)' },
  { name: 'cap-drop', kind: 'list', type: 'list', description: 'Drop Linux capabilities (CHOWN, ALL)' },
  { name: 'cpu-shares', short: 'c', kind: 'string', type: 'int', description: 'CPU shares (relative weight)' },
  { name: 'cpus', kind: 'string', type: 'decimal', description: 'Number of CPUs' },
  { name: 'cpuset-cpus', kind: 'string', description: 'CPUs in which to allow execution (0-3, 0,1)' },
  { name: 'dns', kind: 'list', type: 'list', description: 'Set custom DNS servers' },
  { name: 'entrypoint', kind: 'string', description: 'Overwrite the default ENTRYPOINT of the image' },
  { name: 'env', short: 'e', kind: 'list', description: 'Set environment variables' },
  { name: 'env-file', kind: 'list', description: 'Read in a file of environment variables' },
  { name: 'expose', kind: 'list', type: 'list', description: 'Expose a port or a range of ports' },
  { name: 'group-add', kind: 'list', type: 'list', description: 'Add additional groups to join (gid or name)' },
  { name: 'hostname', short: 'h', kind: 'string', description: 'Container host name' },
  { name: 'init', kind: 'bool', description: 'Run an init inside the container that forwards signals and reaps processes' },
  { name: 'interactive', short: 'i', kind: 'bool', description: 'Keep STDIN open even if not attached' },
  { name: 'ip', kind: 'string', description: 'IPv4 address on the network (e.g., 172.30.100.104)' },
  { name: 'label', short: 'l', kind: 'list', description: 'Set meta data on a container' },
  { name: 'log-opt', kind: 'list', description: 'Log file options: max-size=SIZE, max-file=N' },
  { name: 'memory', short: 'm', kind: 'string', type: 'bytes', description: 'Memory limit' },
  { name: 'memory-swap', kind: 'string', type: 'bytes', description: "Swap limit equal to memory plus swap: '-1' to enable unlimited swap" },
  { name: 'mount', kind: 'list', type: 'mount', description: 'Attach a filesystem mount to the container (type=bind|tmpfs,...)' },
  { name: 'name', kind: 'string', description: 'Assign a name to the container' },
  { name: 'network', aliases: ['net'], kind: 'string', type: 'network', description: 'Connect a container to a network: bridge (the default), host, none, or a network\'s name' },
  { name: 'pids-limit', kind: 'string', type: 'int', description: 'Tune container pids limit (set -1 for unlimited)' },
  { name: 'publish', short: 'p', kind: 'list', type: 'list', description: "Publish a container's port(s) to the host ([IP:][HOSTPORT:]CONTAINERPORT[/PROTO])" },
  { name: 'publish-all', short: 'P', kind: 'bool', description: 'Publish all exposed ports to random ports' },
  { name: 'read-only', kind: 'bool', description: "Mount the container's root filesystem as read only" },
  { name: 'restart', kind: 'string', description: 'Restart policy to apply when a container exits', default: 'no' },
  { name: 'rm', kind: 'bool', description: 'Automatically remove the container when it exits' },
  { name: 'shm-size', kind: 'string', type: 'bytes', description: 'Size of /dev/shm (64m by default)' },
  { name: 'stop-signal', kind: 'string', description: 'Signal to stop the container' },
  { name: 'stop-timeout', kind: 'string', type: 'int', description: 'Timeout (in seconds) to stop a container' },
  { name: 'tmpfs', kind: 'list', type: 'list', description: 'Mount a tmpfs directory (/run or /run:size=64m,mode=1777,exec)' },
  { name: 'tty', short: 't', kind: 'bool', description: 'Allocate a pseudo-TTY' },
  { name: 'ulimit', kind: 'list', type: 'ulimit', description: 'Ulimit options (name=soft[:hard])' },
  { name: 'user', short: 'u', kind: 'string', description: 'Username or UID (format: <name|uid>[:<group|gid>])' },
  { name: 'volume', short: 'v', kind: 'list', description: 'Bind mount a volume (/host/path:/container/path[:ro])' },
  { name: 'workdir', short: 'w', kind: 'string', description: 'Working directory inside the container' },
];

const readEnvFile = (input: CommandInput, path: string): string => {
  try {
    return input.ctx.readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file or directory' : code === 'EISDIR' ? 'is a directory' : (err as Error).message;
    throw new CliError(input.flags.command, `--env-file ${path}: ${why}`);
  }
};

/** Docker's env order: every --env-file first, then each -e (later entries win in the daemon). */
export function envOf(input: CommandInput): string[] {
  const { flags, ctx } = input;
  const lookup = (key: string) => ctx.env[key];
  const fromFiles = flags.list('env-file').flatMap((path) => {
    try {
      return parseEnvFile(readEnvFile(input, path), lookup);
    } catch (err) {
      if (err instanceof InvalidValue) throw new CliError(flags.command, `--env-file ${path}: ${err.message}`);
      throw err;
    }
  });
  return [...fromFiles, ...flags.convertEach('env', (v) => parseEnv(v, lookup))];
}

const absolutePath = (what: string) => (v: string): string => {
  if (!v.startsWith('/')) throw new InvalidValue(`the ${what} '${v}' is invalid, it needs to be an absolute path`);
  return v;
};

const positiveRamSize = (v: string): number => {
  const n = parseRamSize(v);
  if (n <= 0) throw new InvalidValue('must be greater than 0');
  return n;
};

const userSpec = (v: string): string => {
  if (!/^[^:\s]+(?::[^:\s]+)?$/.test(v)) throw new InvalidValue('want <name|uid>[:<group|gid>]');
  return v;
};

/** A network mode or name (whether it exists is the daemon's to say). */
const networkMode = (v: string): string => {
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(v)) throw new InvalidValue(`invalid network name '${v}': want bridge, host, none or a network's name`);
  return v;
};

const ipv4Address = (v: string): string => {
  if (!isIpv4(v)) throw new InvalidValue(`not an IPv4 address: '${v}'`);
  return v;
};

const ipAddress = (v: string): string => {
  if (!isIpAddress(v)) throw new InvalidValue(`not an IP address: '${v}'`);
  return v;
};

/** -p, -P, --dns, --add-host and --ip; undefined when none is given ("none of them"). */
function networkingOf(flags: CommandInput['flags']): HostNetworking | undefined {
  const portBindings: Record<string, PortBindings> = {};
  for (const { port, binding } of flags.convertEach('publish', parsePublish).flat()) {
    (portBindings[port] ??= { bindings: [] }).bindings.push(binding);
  }
  const networking: HostNetworking = {
    portBindings,
    publishAllPorts: flags.bool('publish-all'),
    dns: flags.convertEach('dns', ipAddress),
    extraHosts: flags.convertEach('add-host', parseExtraHost),
    ipAddress: flags.convert('ip', ipv4Address) ?? '',
  };
  const given = Object.keys(portBindings).length > 0 || networking.publishAllPorts || networking.dns.length > 0 ||
    networking.extraHosts.length > 0 || networking.ipAddress !== '';
  return given ? networking : undefined;
}

function hostConfigOf(input: CommandInput): HostConfig {
  const { flags } = input;
  const memory = flags.convert('memory', parseRamSize) ?? 0;
  const memorySwap = flags.convert('memory-swap', (v) => (v === '-1' ? -1 : parseRamSize(v))) ?? 0;
  if (flags.has('memory-swap') && memory === 0) {
    throw flags.invalid('memory-swap', flags.string('memory-swap')!, 'needs a memory limit (-m) as well');
  }
  if (memorySwap > 0 && memorySwap < memory) {
    throw flags.invalid('memory-swap', flags.string('memory-swap')!, 'must be at least the memory limit (-m)');
  }
  const restartPolicy = flags.convert('restart', parseRestartPolicy) ?? { name: restartPolicyName.no, maximumRetryCount: 0 };
  const autoRemove = flags.bool('rm');
  if (autoRemove && restartPolicy.name !== restartPolicyName.no) {
    throw new CliError(flags.command, 'conflicting options: --restart and --rm');
  }
  const logConfig: LogConfig = { maxSize: 0, maxFile: 0 };
  flags.convertEach('log-opt', (v) => applyLogOpt(logConfig, v));
  const host: HostConfig = {
    binds: flags.convertEach('volume', parseVolume),
    mounts: [...flags.convertEach('mount', parseMount), ...flags.convertEach('tmpfs', parseTmpfs)],
    memory,
    memorySwap,
    nanoCpus: flags.convert('cpus', parseCpus) ?? 0,
    cpuShares: flags.convert('cpu-shares', (v) => parseInteger(v, { min: 0 })) ?? 0,
    cpusetCpus: flags.convert('cpuset-cpus', parseCpuset) ?? '',
    pidsLimit: flags.convert('pids-limit', (v) => parseInteger(v, { min: -1 })) ?? 0,
    restartPolicy,
    autoRemove,
    networkMode: flags.convert('network', networkMode) ?? '',
    logConfig,
    ulimits: flags.convertEach('ulimit', parseUlimit),
    readonlyRootfs: flags.bool('read-only'),
    capAdd: flags.list('cap-add'),
    capDrop: flags.list('cap-drop'),
    shmSize: flags.convert('shm-size', positiveRamSize) ?? 0,
    groupAdd: flags.list('group-add'),
  };
  if (flags.has('init')) host.init = flags.bool('init');
  const networking = networkingOf(flags);
  if (networking) host.networking = networking;
  return host;
}

/** The request both `run` and `create` send; `detach` is run's -d (create never attaches). */
export function createRequestOf(input: CommandInput, detach: boolean): CreateContainerRequest {
  const { flags, args } = input;
  const [image = '', ...cmd] = args;
  try {
    parseImageReference(image);
  } catch (err) {
    if (err instanceof InvalidValue) throw new CliError(flags.command, `image "${image}": ${err.message}`);
    throw err;
  }
  const interactive = flags.bool('interactive');
  const entrypoint = flags.string('entrypoint');
  const stopTimeout = flags.convert('stop-timeout', (v) => parseInteger(v, { min: -1 }));
  // Docker's Config.ExposedPorts: --expose, and every port -p publishes.
  const exposed = [...new Set([
    ...flags.convertEach('expose', parseExpose).flat(),
    ...flags.convertEach('publish', parsePublish).flat().map((p) => p.port),
  ])];
  return {
    name: flags.convert('name', parseContainerName) ?? '',
    config: {
      image,
      cmd,
      ...(entrypoint === undefined ? {} : { entrypoint: { values: entrypoint === '' ? [] : [entrypoint] } }),
      env: envOf(input),
      workingDir: flags.convert('workdir', absolutePath('working directory')) ?? '',
      user: flags.convert('user', userSpec) ?? '',
      hostname: flags.string('hostname') ?? '',
      tty: flags.bool('tty'),
      openStdin: interactive,
      // Docker: an attached -i closes the container's stdin when the client detaches.
      stdinOnce: interactive && !detach,
      labels: Object.fromEntries(flags.convertEach('label', parseLabel)),
      stopSignal: flags.convert('stop-signal', parseSignal) ?? '',
      ...(stopTimeout === undefined ? {} : { stopTimeout }),
      ...(exposed.length > 0 ? { exposedPorts: { values: exposed } } : {}),
    },
    hostConfig: hostConfigOf(input),
  };
}
