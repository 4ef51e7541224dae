// The Node flags tdockerd runs with: main.ts's shebang, deploy/tdockerd.service and
// deploy/quickstart.sh carry the same list; tests start the daemon with this one.
// V8 grows the young generation under a burst of Runs (up to 3 x 16 MiB by default) and keeps
// it: the daemon's RSS then carries it for good. 8 MiB semi-spaces keep ~10-15 MiB of RSS off a
// daemon with 1,000 containers, at no CPU per Run that the benchmarks could tell from noise.
// The old generation holds ~20 MiB live after thousands of containers, but V8 let it grow to
// ~100 MiB between full collections (a growing factor of up to 4), so the daemon's RSS went from
// ~125 to 140-175 MiB over its first 3,000 containers. A factor of 2 keeps it at 125-135 MiB,
// with no CPU per Run the benchmarks could tell from noise.
export const DAEMON_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8', '--heap-growing-percent=100'];
