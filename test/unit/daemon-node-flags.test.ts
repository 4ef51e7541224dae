// The Node flags tdockerd runs with (node-flags.ts) are written out again wherever the daemon is
// started outside the tests: main.ts's shebang, the systemd unit and the quick start.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { DAEMON_NODE_FLAGS } from '../../services/daemon/node-flags.js';

const root = new URL('../../../', import.meta.url);

/** The line of a file that starts the daemon, as words. */
function commandLine(path: string, starts: (line: string) => boolean): string[] {
  const line = readFileSync(new URL(path, root), 'utf8').split('\n').find(starts);
  assert.ok(line, `${path}: no line starts the daemon`);
  return line.trim().split(/\s+/);
}

describe("the daemon's Node flags", () => {
  const places: [string, (line: string) => boolean][] = [
    ['services/daemon/main.ts', (line) => line.startsWith('#!')],
    ['deploy/tdockerd.service', (line) => line.startsWith('ExecStart=')],
    ['deploy/quickstart.sh', (line) => /^(?:exec )?node .*services\/daemon\/main\.js/.test(line)],
  ];
  for (const [path, starts] of places) {
    it(`are all in ${path}`, () => {
      const words = commandLine(path, starts);
      for (const flag of DAEMON_NODE_FLAGS) assert.ok(words.includes(flag), `${path} lacks ${flag}`);
    });
  }
});
