// `tdocker run -it` is a real terminal, driven under a pseudo-terminal as a person types: the
// shell answers, Ctrl-C reaches the container (not the CLI), the window size follows resizes,
// Ctrl-P Ctrl-Q detaches and `tdocker attach` comes back, and the user's terminal is as it was
// after every way out.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { E2eDaemon, e2eSkipReason } from './tdocker-e2e.js';

const CTRL_C = '\x03';
const CTRL_P = '\x10';
const CTRL_Q = '\x11';
// busybox's prompt; ash asks the terminal where the cursor is (ESC [6n) after printing it.
const PROMPT = /# (?:\x1b\[6n)?$/;

describe('tdocker run -it', { skip: e2eSkipReason }, () => {
  let d: E2eDaemon;
  before(async () => {
    d = await E2eDaemon.start();
  });
  after(async () => {
    await d?.close();
  });

  it('runs an interactive shell: arithmetic, Ctrl-C, stty size after a resize, and its exit code', async () => {
    // The outer shell records the terminal's settings before and after, as a user's shell would.
    const t = d.ptyShell('before=$(stty -g); $TDOCKER run -it --rm --name tty1 busybox sh; code=$?; ' +
      '[ "$before" = "$(stty -g)" ] && echo "[terminal restored]"; echo "[exit $code]"', { cols: 80, rows: 24 });
    await t.waitFor(PROMPT);
    let from = t.out.length;
    t.type('echo $((6*7))\r');
    await t.waitFor(/\r\n42\r\n/, { from });

    from = t.out.length;
    t.type('stty size\r');
    await t.waitFor(/\r\n24 80\r\n/, { from });

    from = t.out.length;
    t.type('sleep 100\r');
    await t.waitFor(/sleep 100\r\n/, { from });
    // Once sleep runs (the shell has given the terminal back its signal keys), as a person sees.
    for (let i = 0; i < 100 && !(await d.tdocker(['top', 'tty1'])).stdout.includes('sleep 100'); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    t.type(CTRL_C);
    await t.waitFor(/\^C\r\n\/ # /, { from, timeoutMs: 5000 });

    t.resize(132, 50);
    await new Promise((r) => setTimeout(r, 200));
    from = t.out.length;
    t.type('stty size\r');
    await t.waitFor(/\r\n50 132\r\n/, { from });

    t.type('exit 5\r');
    await t.waitFor(/\[terminal restored\]\r?\n\[exit 5\]/);
    assert.equal((await t.exited).exitCode, 0);
  });

  it('detaches on Ctrl-P Ctrl-Q (exit 0, container running), and attach comes back', async () => {
    const t = d.ptyShell('before=$(stty -g); $TDOCKER run -it --name detachable busybox sh; code=$?; ' +
      '[ "$before" = "$(stty -g)" ] && echo "[terminal restored]"; echo "[exit $code]"');
    await t.waitFor(PROMPT);
    t.type('echo first\r');
    await t.waitFor(/\r\nfirst\r\n/);
    t.type(CTRL_P);
    await new Promise((r) => setTimeout(r, 100));
    t.type(CTRL_Q);
    await t.waitFor(/\[terminal restored\]\r?\n\[exit 0\]/);
    assert.doesNotMatch(t.out, /read escape sequence|detached/i, 'nothing extra is printed');
    assert.equal((await d.tdocker(['inspect', '-f', '{{.State.Running}}', 'detachable'])).stdout, 'true\n');

    const a = d.ptyShell('$TDOCKER attach detachable; echo "[exit $?]"');
    await new Promise((r) => setTimeout(r, 500));
    a.type('echo again\r');
    await a.waitFor(/\r\nagain\r\n/);
    a.type('exit 7\r');
    await a.waitFor(/\[exit 7\]/);
    assert.equal((await d.tdocker(['wait', 'detachable'])).stdout, '7\n');
    await d.tdocker(['rm', 'detachable']);
  });

  it('runs exec -it in a running container', async () => {
    await d.tdocker(['run', '-d', '--name', 'host', 'busybox', 'sleep', '100']);
    const t = d.ptyShell('$TDOCKER exec -it host sh; echo "[exit $?]"', { cols: 100, rows: 30 });
    await t.waitFor(PROMPT);
    const from = t.out.length;
    t.type('stty size; tty\r');
    await t.waitFor(/\r\n30 100\r\n\/dev\/pts\/\d+\r\n/, { from });
    t.type('exit 3\r');
    await t.waitFor(/\[exit 3\]/);
    await d.tdocker(['rm', '-f', 'host']);
  });
});
