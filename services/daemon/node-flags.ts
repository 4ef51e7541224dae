// The Node flags tdockerd runs with: main.ts's shebang, deploy/tdockerd.service and
// deploy/quickstart.sh carry the same list; tests start the daemon with this one.
// V8 grows the young generation under a burst of Runs (up to 3 x 16 MiB by default) and keeps
// it: the daemon's RSS then carries it for good. 8 MiB semi-spaces keep ~10-15 MiB of RSS off a
// daemon with 1,000 containers, at no CPU per Run that the benchmarks could tell from noise.
export const DAEMON_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8'];
