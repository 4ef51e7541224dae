// The log reader following a log that rotates under it, as the shim rotates (native/log.c:
// rename log.N-1 to log.N down to log to log.1, then create log), fast and often, from another
// process: every line comes exactly once and in order, whatever the reader's look lands on (the
// path missing between the renames, a rotation between two looks, several rotations in one poll).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readContainerLog } from '../../services/gateway/container-log-reader.js';

// The shim's rotation, in a child process so that it interleaves with the reader for real. Files
// are kept (max files) well beyond what a reader polling every millisecond falls behind, and the
// writer pauses a millisecond after each rotation, so no line is legitimately lost.
const writer = `
const fs = require('node:fs');
const [path, lines, perFile, maxFiles] = process.argv.slice(1).map((a, i) => (i ? Number(a) : a));
let fd = fs.openSync(path, 'a');
let inFile = 0;
const pause = new Int32Array(new SharedArrayBuffer(4));
for (let n = 1; n <= lines; n++) {
  if (inFile === perFile) {
    for (let i = maxFiles - 1; i >= 1; i--) {
      try { fs.renameSync(i === 1 ? path : path + '.' + (i - 1), path + '.' + i); } catch {}
    }
    fs.closeSync(fd);
    fd = fs.openSync(path, 'a');
    inFile = 0;
    Atomics.wait(pause, 0, 0, 10);
  }
  fs.writeSync(fd, new Date().toISOString().replace('Z', '000000Z') + ' stdout F line ' + n + '\\n');
  inFile++;
}
`;

describe('following a rotating log', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tdocker-logfollow-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const [name, perFile, lines] of [['one line per file', 1, 300], ['three lines per file', 3, 600]] as const) {
    it(`reads every line once, in order (${name})`, async () => {
      const path = join(dir, `log-${perFile}`);
      const child = spawn(process.execPath, ['-e', writer, path, String(lines), String(perFile), '100'], { stdio: 'inherit' });
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      const ac = new AbortController();
      const got: string[] = [];
      try {
        for await (const r of readContainerLog(path, { follow: true, done: exited, signal: ac.signal, pollMs: 1 })) {
          got.push(r.text.toString());
        }
      } finally {
        ac.abort();
        child.kill();
        await exited;
      }
      const want = Array.from({ length: lines }, (_, i) => `line ${i + 1}`);
      const missing = want.filter((l) => !got.includes(l));
      const twice = got.filter((l, i) => got.indexOf(l) !== i);
      assert.deepEqual({ missing: missing.slice(0, 5), twice: twice.slice(0, 5) }, { missing: [], twice: [] });
      assert.deepEqual(got, want);
    });
  }
});
