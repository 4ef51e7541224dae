// The CLI's own version: the package's. The built CLI (bundled or not) sits three folders below
// the package root, in build/services/cli/.
import { readFileSync } from 'node:fs';

export function clientVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
