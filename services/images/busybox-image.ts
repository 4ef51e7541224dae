// Builds the quick start's `busybox` image and imports it through ImageStore.importTar, the path
// `tdocker import` takes in the daemon. Run by deploy/busybox-image.sh:
//   busybox-image [--root DIR] [--tag NAME[:TAG]] [--busybox PATH]   import into the store
//   busybox-image --stdout [--busybox PATH]                           write the tar to stdout
// Safe to run again: the same busybox binary gives the same layer and the same image id.

import { statSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { TdockerError } from '../errors/tdocker-error.js';
import { BUSYBOX_CONFIG, DEFAULT_BUSYBOX, busyboxRootfsTar } from './busybox-rootfs-tar.js';
import { ImageStore } from './image-store.js';

export const DEFAULT_ROOT = '/var/lib/tinydocker';

/** Imports the starter image into the store at `root`; returns its id. */
export async function importBusyboxImage(root: string, tag = 'busybox:latest', busybox = DEFAULT_BUSYBOX): Promise<string> {
  const created = new Date(Math.floor(statSync(busybox).mtimeMs / 1000) * 1000);
  const store = new ImageStore(root);
  try {
    const img = await store.importTar(busyboxRootfsTar(busybox), {
      ref: tag,
      config: BUSYBOX_CONFIG,
      comment: `busybox-static ${busybox}`,
      created,
    });
    return img.id;
  } finally {
    // The layer's files reach the disk before the script exits (the daemon would sync them at
    // its next start anyway, but a reboot before that would take the image away).
    await store.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      root: { type: 'string', default: DEFAULT_ROOT },
      tag: { type: 'string', default: 'busybox:latest' },
      busybox: { type: 'string', default: DEFAULT_BUSYBOX },
      stdout: { type: 'boolean', default: false },
    },
  });
  if (values.stdout) {
    await pipeline(busyboxRootfsTar(values.busybox), process.stdout);
    return;
  }
  const id = await importBusyboxImage(values.root!, values.tag, values.busybox);
  process.stdout.write(`${values.tag} ${id}\n`);
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  main().catch((err) => {
    const e = TdockerError.from(err);
    process.stderr.write(`busybox-image: ${e.message}\n`);
    process.exit(125);
  });
}
