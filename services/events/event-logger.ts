// The slice of a pino logger the events service uses (pino's `log.warn({ ...fields }, 'message')`).

type LogFn = (obj: object, msg?: string) => void;

export interface EventLogger {
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  debug: LogFn;
}

const nothing: LogFn = () => {};
export const silentLogger: EventLogger = { info: nothing, warn: nothing, error: nothing, debug: nothing };
