// Address allocation in one subnet: never the network, gateway or broadcast address, never an
// address that is live. A rotating cursor hands out the address after the last one given, so a
// released address is reused as late as possible (a stale peer entry then points nowhere).
import { TdockerError, invalid } from '../errors/tdocker-error.js';
import { broadcastOf, contains, formatIp, formatSubnet, parseIp, type Subnet } from './ipv4.js';

export interface IpamState {
  /** Address → owner (a container id). */
  allocations: Record<string, string>;
  /** The last address handed out, as a number. */
  cursor: number;
}

export class Ipam {
  constructor(
    private readonly subnet: Subnet,
    private readonly gateway: number,
    readonly state: IpamState,
  ) {}

  /** The owner's address; the same one again when it already holds one. */
  allocate(owner: string, wanted?: string): string {
    const held = this.addressOf(owner);
    if (held && (!wanted || wanted === held)) return held;
    if (held) this.release(owner);
    if (wanted) {
      const ip = parseIp(wanted);
      if (!contains(this.subnet, ip)) throw invalid(`invalid IP ${wanted}: not in the network's subnet ${formatSubnet(this.subnet)}`);
      if (this.reserved(ip)) throw invalid(`invalid IP ${wanted}: the network, gateway and broadcast addresses are reserved`);
      if (this.state.allocations[wanted]) throw new TdockerError('ALREADY_EXISTS', `IP ${wanted} is already in use on this network`);
      this.state.allocations[wanted] = owner;
      return wanted;
    }
    const first = this.subnet.base + 1;
    const last = broadcastOf(this.subnet) - 1;
    const span = last - first + 1;
    for (let i = 1; i <= span; i++) {
      const ip = first + ((this.state.cursor - first + i) % span + span) % span;
      if (this.reserved(ip)) continue;
      const text = formatIp(ip);
      if (this.state.allocations[text]) continue;
      this.state.allocations[text] = owner;
      this.state.cursor = ip;
      return text;
    }
    throw new TdockerError('RESOURCE_EXHAUSTED', `no free address left in ${formatSubnet(this.subnet)}`);
  }

  release(owner: string): void {
    for (const [ip, o] of Object.entries(this.state.allocations)) if (o === owner) delete this.state.allocations[ip];
  }

  addressOf(owner: string): string | undefined {
    return Object.entries(this.state.allocations).find(([, o]) => o === owner)?.[0];
  }

  private reserved(ip: number): boolean {
    return ip === this.subnet.base || ip === broadcastOf(this.subnet) || ip === this.gateway;
  }
}
