// Shared by the rootfs integration tests: a temporary folder that is unmounted and removed at
// the end, with a check that nothing under it is left in /proc/self/mountinfo.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { MNT_DETACH, umount2 } from '../../native/libc.js';
import { mountsUnder } from '../../services/rootfs/mountinfo.js';
import { unmountAll } from '../../services/rootfs/unmount-all.js';

const overlaySupported = existsSync('/proc/filesystems') && /\toverlay$/m.test(readFileSync('/proc/filesystems', 'utf8'));

export const skipReason =
  process.getuid?.() !== 0 ? 'needs root: it mounts overlays, binds and tmpfs' : !overlaySupported ? 'the kernel has no overlayfs' : false;

/** A fresh folder, without symlinks in its path (as mountinfo shows it). */
export function tempDir(name: string): string {
  return realpathSync(mkdtempSync(join(tmpdir(), `tdt-rootfs-${name}-`)));
}

/** Mount points at or under `dir`, as the kernel lists them. */
export function mountedUnder(dir: string): string[] {
  return mountsUnder(dir).map((m) => m.mountPoint);
}

/**
 * Unmounts and removes `dir`, even when the code under test failed to; then asserts that nothing
 * under it is still mounted. Never removes through a mount.
 */
export function cleanupTempDir(dir: string): void {
  try {
    unmountAll(dir);
  } catch {
    for (const m of mountedUnder(dir).reverse()) {
      try {
        umount2(m, MNT_DETACH);
      } catch {
        // already gone with its parent
      }
    }
  }
  const left = mountedUnder(dir);
  if (left.length === 0) rmSync(dir, { recursive: true, force: true });
  assert.deepEqual(left, [], `still mounted under ${dir}`);
}

/** A layer folder with the given files (path → content). */
export function makeLayer(dir: string, files: Record<string, string> = {}): string {
  mkdirSync(dir, { recursive: true });
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

/** An errno code thrown by `fn` (EROFS, …), or undefined when it did not throw. */
export function errnoOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code;
  }
}
