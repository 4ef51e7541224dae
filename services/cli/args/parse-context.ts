// What parsing reads from the world, passed in so the parser stays pure under test: the CLI's
// environment (TDOCKER_HOST, bare -e KEY), files (--env-file) and the clock (--since 10m).
import { readFileSync } from 'node:fs';

export interface ParseContext {
  env: Readonly<Record<string, string | undefined>>;
  readFile(path: string): string;
  /** Milliseconds since the epoch. */
  now(): number;
}

export const processContext = (): ParseContext => ({
  env: process.env,
  readFile: (path) => readFileSync(path, 'utf8'),
  now: () => Date.now(),
});
