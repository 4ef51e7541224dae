// Host device names the daemon owns. A short hash of the state root is in every name, so daemons
// with different roots (and parallel tests) never touch each other's devices. Linux allows 15
// characters: `tdb` + 5 + 7 for bridges, `tdv` + 5 + 7 for the host side of a veth pair.
import { createHash } from 'node:crypto';

export class DeviceNames {
  readonly rootHash: string;

  constructor(root: string) {
    this.rootHash = createHash('sha256').update(root).digest('hex').slice(0, 5);
  }

  get bridgePrefix(): string { return `tdb${this.rootHash}`; }
  get vethPrefix(): string { return `tdv${this.rootHash}`; }
  bridge(networkId: string): string { return `${this.bridgePrefix}${networkId.slice(0, 7)}`; }
  veth(containerId: string): string { return `${this.vethPrefix}${containerId.slice(0, 7)}`; }
}
