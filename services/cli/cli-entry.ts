// The CLI as a process: hands argv and stdio to runCli and exits with its code, without waiting
// for idle gRPC timers. main.ts runs this module from the bundle when there is one, else as tsc
// built it.
import { type CliStdio, runCli } from './run-cli.js';

const guarded = new WeakSet<NodeJS.WriteStream>();

/** `tdocker ps | head -1`: a reader that went away is not an error worth a stack trace. */
function quietOnEpipe(out: NodeJS.WriteStream): NodeJS.WriteStream {
  if (!guarded.has(out)) {
    guarded.add(out);
    out.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(0);
      throw err;
    });
  }
  return out;
}

export async function main(argv: readonly string[]): Promise<never> {
  // Node's deprecation notices (grpc-js giving TLS an IP address as server name) are not the
  // user's business: the CLI's stderr is its own lines and the container's output.
  process.noDeprecation = true;
  // Each stream is made when first used: making stdout's costs a command that prints nothing
  // (`run --rm busybox true`) a millisecond or two.
  const stdio: CliStdio = {
    get stdin() { return process.stdin; },
    get stdout() { return quietOnEpipe(process.stdout); },
    get stderr() { return quietOnEpipe(process.stderr); },
  };
  process.exit(await runCli(argv, stdio));
}

/** For the build only (bundle.mjs): see code-cache-warm-up.ts. */
export async function warm(scratch: string): Promise<void> {
  await (await import('./code-cache-warm-up.js')).warmUp(scratch);
}
