// The transfer progress of import, load, save and pull: plain lines off a terminal (start, every
// few seconds, end with size, time and rate), bars redrawn in place on one.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TransferProgress } from '../../services/cli/io/transfer-progress.js';

function recorder(isTTY: boolean) {
  const out = { text: '', isTTY, columns: 100, write(t: string) { this.text += t; return true; } };
  return out;
}

describe('TransferProgress', () => {
  it('prints plain lines when not a terminal', () => {
    const out = recorder(false);
    let now = 1000;
    const p = new TransferProgress(out, { now: () => now });
    p.status('1: pulling from r/x');
    p.update('abc', 'Downloading', 0, 2_000_000);
    now += 500;
    p.update('abc', 'Downloading', 500_000, 2_000_000); // too soon for another line
    now += 2000;
    p.update('abc', 'Downloading', 1_500_000, 2_000_000);
    now += 500;
    p.complete('abc', 'Pull complete', { bytes: 2_000_000 });
    p.complete('def', 'Already exists', { quiet: true });
    p.end();
    assert.equal(out.text, [
      '1: pulling from r/x',
      'abc: Downloading 0B/2MB',
      'abc: Downloading 1.5MB/2MB',
      'abc: Pull complete 2MB in 3.0s (667kB/s)',
      'def: Already exists',
      '',
    ].join('\n'));
  });

  it('draws bars in place on a terminal, and clears them', () => {
    const out = recorder(true);
    let now = 0;
    const p = new TransferProgress(out, { now: () => now, redrawEveryMs: 0 });
    p.update('a', 'Loading', 0, 1000);
    now += 1000;
    p.update('a', 'Loading', 500, 1000);
    p.update('b', 'Loading', 10);
    assert.match(out.text, /\x1b\[2Ka: Loading \[==============> +\] 500B\/1kB/);
    assert.match(out.text, /\x1b\[1A\r/, 'moved up to redraw');
    now += 1000;
    p.complete('a', 'Loaded', { bytes: 1000 });
    assert.match(out.text, /\x1b\[2Ka: Loaded 1kB in 2\.0s \(500B\/s\)\n\x1b\[2Kb: Loading 10B/);
    p.clear();
    assert.ok(out.text.endsWith('\x1b[2A\r\x1b[J'));
  });

  it('keeps the bars after end, and writes later lines below them', () => {
    const out = recorder(true);
    const p = new TransferProgress(out, { now: () => 0, redrawEveryMs: 0 });
    p.update('a', 'Downloading', 1, 2);
    p.complete('a', 'Pull complete');
    p.end();
    const before = out.text.length;
    p.status('Status: done');
    assert.equal(out.text.slice(before), '\r\x1b[2KStatus: done\n');
  });

  it('shortens a long name first on a narrow terminal', () => {
    const out = { ...recorder(true), columns: 60 };
    const p = new TransferProgress(out, { now: () => 0, redrawEveryMs: 0 });
    p.update('/a/very/long/path/to/some/archive/file/images.tar', 'Saving', 5_000_000, 10_000_000);
    assert.match(out.text, /\x1b\[2K…\S*\.tar: Saving \[=+> +\] 5MB\/10MB\n$/);
    assert.ok(out.text.split('\x1b[2K')[1]!.length <= 60);
  });
});
