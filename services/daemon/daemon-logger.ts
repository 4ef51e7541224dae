// The daemon's pino logger: JSON lines on stderr, or short readable lines when stderr is a
// terminal (a few lines of formatting instead of a pino-pretty dependency).
import { pino, type Logger } from 'pino';

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO ', 40: 'WARN ', 50: 'ERROR', 60: 'FATAL' };
const COLORS: Record<number, string> = { 10: '90', 20: '36', 30: '32', 40: '33', 50: '31', 60: '35' };
const SKIP = new Set(['level', 'time', 'msg', 'pid', 'hostname']);

export function formatLogLine(line: string, color: boolean): string {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const level = Number(rec.level);
  const time = new Date(Number(rec.time)).toISOString().slice(11, 23);
  const name = LEVEL_NAMES[level] ?? String(rec.level);
  const tag = color ? `\x1b[${COLORS[level] ?? '0'}m${name}\x1b[0m` : name;
  const fields = Object.entries(rec)
    .filter(([k]) => !SKIP.has(k))
    .map(([k, v]) => {
      if (k === 'err' && v && typeof v === 'object') return `err=${JSON.stringify((v as { message?: string }).message ?? v)}`;
      return `${k}=${typeof v === 'string' && !/\s/.test(v) ? v : JSON.stringify(v)}`;
    });
  return `${time} ${tag} ${rec.msg ?? ''}${fields.length ? ' ' + fields.join(' ') : ''}\n`;
}

export function daemonLogger(level: string): Logger {
  const opts = { level, base: { pid: process.pid } };
  if (!process.stderr.isTTY) return pino(opts, pino.destination({ fd: 2, sync: true }));
  return pino(opts, { write: (line: string) => { process.stderr.write(formatLogLine(line, true)); } });
}
