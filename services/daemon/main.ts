#!/usr/bin/env -S node --max-semi-space-size=8 --heap-growing-percent=100
// (The flags in the line above: node-flags.ts says why.)
// tdockerd: runs containers and serves the tdocker API (DESIGN.md). SIGTERM and SIGINT stop
// serving and leave every container running: they belong to their shims.
import { TdockerError } from '../errors/tdocker-error.js';
import { daemonLogger } from './daemon-logger.js';
import { parseDaemonArgs, USAGE, type DaemonOptions } from './daemon-options.js';
import { startDaemon } from './start-daemon.js';

async function main(): Promise<void> {
  let opts: DaemonOptions;
  try {
    opts = parseDaemonArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`tdockerd: ${(e as Error).message}\n`);
    process.exit(125);
  }
  if (opts.help) {
    process.stdout.write(USAGE);
    return;
  }
  const log = daemonLogger(opts.logLevel);
  let daemon;
  try {
    daemon = await startDaemon(opts, log);
  } catch (e) {
    const err = TdockerError.from(e);
    log.fatal({ err }, `tdockerd could not start: ${err.message}`);
    process.exit(1);
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping: containers keep running');
    daemon.close().then(
      () => process.exit(0),
      (err) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

void main();
