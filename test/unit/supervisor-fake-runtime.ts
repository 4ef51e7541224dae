// A host that does nothing, for the supervisor's unit tests: records each call, lets the test end
// processes and fail steps, and answers probes as the test sets them.
import type { ExitStatus, StartResult } from '../../machines/container-types.js';
import type { ContainerSpec } from '../../services/daemon/container-runner.js';
import { TdockerError } from '../../services/errors/tdocker-error.js';
import type { ContainerProbe, ContainerRuntime } from '../../services/supervisor/container-runtime.js';
import type { ContainerDefinition } from '../../services/supervisor/container-record.js';

export class FakeRuntime implements ContainerRuntime {
  readonly calls: string[] = [];
  readonly fail = new Map<string, Error>();
  readonly probes = new Map<string, ContainerProbe>();
  private readonly watchers = new Map<string, (exit: ExitStatus) => void>();
  private nextPid = 100;

  private step(name: string, id: string): void {
    this.calls.push(`${name} ${id.slice(0, 4)}`);
    const err = this.fail.get(name);
    if (err) throw err;
  }

  async mount(spec: ContainerSpec) { this.step('mount', spec.id); }
  async unmount(id: string) { this.step('unmount', id); }
  async start(spec: ContainerSpec): Promise<StartResult> {
    this.step('start', spec.id);
    return { pid: this.nextPid++, startedAt: new Date().toISOString() };
  }
  waitExit(id: string, signal: AbortSignal): Promise<ExitStatus> {
    return new Promise((resolve, reject) => {
      this.watchers.set(id, resolve);
      signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
    });
  }
  async signal(id: string, signal: string) {
    this.step(`signal ${signal}`, id);
    if (signal === 'SIGKILL' || signal === 'KILL' || signal === 'SIGTERM') setImmediate(() => this.exit(id, signal === 'SIGTERM' ? 143 : 137));
  }
  async pause(id: string) { this.step('pause', id); }
  async resume(id: string) { this.step('resume', id); }
  async remove(id: string) { this.step('remove', id); }
  async probe(id: string): Promise<ContainerProbe> { return this.probes.get(id) ?? { state: 'gone' }; }

  /** Ends the container's process. */
  exit(id: string, exitCode: number): void {
    const w = this.watchers.get(id);
    if (!w) throw new TdockerError('FAILED_PRECONDITION', `no process of ${id} to end`);
    this.watchers.delete(id);
    w({ exitCode, oomKilled: false, finishedAt: new Date().toISOString() });
  }
}

export function definition(name = '', more: Partial<ContainerDefinition> = {}): ContainerDefinition {
  return {
    name,
    image: { ref: 'busybox', id: `sha256:${'b'.repeat(64)}` },
    labels: {},
    spec: { lowers: ['/layers/1'], process: { args: ['sleep', '100'] } },
    restartPolicy: { name: 'no' },
    autoRemove: false,
    ...more,
  };
}

export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'OK';
  } catch (e) {
    return (e as TdockerError).code ?? String(e);
  }
}

