// --sig-proxy (on by default when attached without a tty): the signals the CLI receives are sent
// to the container instead of ending the CLI, as Docker forwards them. With a tty the terminal
// is raw and Ctrl-C is a byte, so nothing is proxied. SIGUSR1 is left alone (Node's debugger),
// and SIGCHLD, SIGPIPE, SIGURG and SIGWINCH are never proxied (Docker's rule).

export const proxiedSignals = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR2', 'SIGALRM'] as const;

/** The part of `process` used here. */
export interface SignalHooks {
  on(event: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  removeListener(event: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
}

/** Installs the proxy; the returned function uninstalls it. */
export function proxySignals(send: (signal: NodeJS.Signals) => void, hooks: SignalHooks = process): () => void {
  const listener = (signal: NodeJS.Signals) => send(signal);
  for (const s of proxiedSignals) hooks.on(s, listener);
  return () => {
    for (const s of proxiedSignals) hooks.removeListener(s, listener);
  };
}
