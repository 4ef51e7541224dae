// Container networks on this host: the records (store + IPAM), the devices they stand for
// (bridge, veth pairs, namespace files), published ports, and the hosts files that let
// containers on one network reach each other by name.
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { TdockerError, invalid, notFound, precondition } from '../errors/tdocker-error.js';
import { DeviceNames } from './device-names.js';
import { etcFilePaths, renderHosts, renderResolvConf, writeInPlace } from './etc-files.js';
import { ip, linksWithPrefix, routeDestinations } from './ip-command.js';
import { Ipam } from './ipam.js';
import { formatIp, formatSubnet, overlaps, parseIp, parseSubnet, contains, type Subnet } from './ipv4.js';
import { listNetns, netnsPath, removeNetns } from './netns-file.js';
import type { EndpointRecord, NetworkAttachment, NetworkDriver, NetworkRecord } from './network-record.js';
import { NetworkStore } from './network-store.js';
import { NetShell } from './net-shell.js';
import { startProxy, type PortMapping, type Proxy } from './port-proxy.js';

/** A word for sh, single-quoted. */
const sq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export const DEFAULT_NETWORK = 'bridge';
/** Subnets for networks created without --subnet: the first free /24 of this /16. */
const POOL = parseSubnet('10.231.0.0/16');
/**
 * The default network takes the first free /16 from 10.232.0.0 on (Docker's is a /16 too: a /24
 * would cap a host at 253 containers).
 */
const DEFAULT_POOL = { first: parseIp('10.232.0.0'), last: parseIp('10.254.0.0'), prefix: 16 };
const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export interface NetworkEvent {
  action: 'connect' | 'disconnect';
  containerId: string;
  containerName: string;
  network: { id: string; name: string };
  ip: string;
}

export interface NetworkManagerOptions {
  root: string;
  runRoot: string;
  /** Called on every connect and disconnect; `NetworkManager.onEvent` can be set later too. */
  onEvent?: (e: NetworkEvent) => void;
}

export interface ConnectRequest {
  containerId: string;
  name: string;
  hostname: string;
  containerDir: string;
  attachment: NetworkAttachment;
}

export interface Connected {
  netns: string;
  ip: string;
  /** Files to bind-mount at /etc/hosts, /etc/hostname, /etc/resolv.conf. */
  files: { hosts: string; hostname: string; resolvConf: string };
}

/** A published port as bound on the host. */
export interface PublishedPort {
  mapping: PortMapping;
  hostIp: string;
  hostPort: number;
}

export class NetworkManager {
  readonly names: DeviceNames;
  private readonly store: NetworkStore;
  private readonly networks = new Map<string, NetworkRecord>();
  private readonly proxies = new Map<string, Proxy[]>();
  private readonly bridgesUp = new Map<string, Promise<void>>();
  private readonly shell = new NetShell();
  /** Serializes changes to one network's hosts files. */
  private chain: Promise<unknown> = Promise.resolve();

  /** Where connect and disconnect go: the daemon points it at the event bus. */
  onEvent: ((e: NetworkEvent) => void) | undefined;

  constructor(private readonly opts: NetworkManagerOptions) {
    this.onEvent = opts.onEvent;
    this.names = new DeviceNames(opts.root);
    this.store = new NetworkStore(opts.root);
    for (const r of this.store.load()) this.networks.set(r.id, r);
  }

  // ---- networks -----------------------------------------------------------------------------

  list(): NetworkRecord[] {
    this.ensureBuiltIns();
    return [...this.networks.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** By name, full id or unique id prefix. */
  get(ref: string): NetworkRecord {
    this.ensureBuiltIns();
    const all = [...this.networks.values()];
    const exact = all.find((n) => n.name === ref || n.id === ref);
    if (exact) return exact;
    const byPrefix = ref.length >= 1 && /^[0-9a-f]+$/.test(ref) ? all.filter((n) => n.id.startsWith(ref)) : [];
    if (byPrefix.length === 1) return byPrefix[0]!;
    if (byPrefix.length > 1) throw invalid(`network id prefix "${ref}" is ambiguous`);
    throw notFound(`network ${ref} not found`);
  }

  async create(req: { name: string; driver?: string; subnet?: string; gateway?: string; labels?: Record<string, string> }): Promise<NetworkRecord> {
    const driver = (req.driver || 'bridge') as NetworkDriver;
    if (driver !== 'bridge') throw invalid(`invalid driver "${req.driver}": only bridge networks can be created (host and none exist already)`);
    if (!NAME_RE.test(req.name)) throw invalid(`invalid network name "${req.name}": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    this.ensureBuiltIns();
    if ([...this.networks.values()].some((n) => n.name === req.name)) throw new TdockerError('ALREADY_EXISTS', `network with name ${req.name} already exists`);
    return this.createBridge(req.name, req);
  }

  async remove(ref: string): Promise<NetworkRecord> {
    const n = this.get(ref);
    if (n.driver !== 'bridge' || n.name === DEFAULT_NETWORK) throw precondition(`${n.name} is a pre-defined network and cannot be removed`);
    const users = Object.values(n.endpoints);
    if (users.length) {
      throw precondition(`network ${n.name} has active endpoints (${users.map((e) => e.name).join(', ')}): remove them first`);
    }
    await ip(['link', 'del', n.bridge]).catch(() => {});
    this.bridgesUp.delete(n.id);
    this.store.delete(n.id);
    this.networks.delete(n.id);
    return n;
  }

  private async createBridge(name: string, req: { subnet?: string; gateway?: string; labels?: Record<string, string> }): Promise<NetworkRecord> {
    const taken = await this.takenSubnets();
    let subnet: Subnet;
    if (req.subnet) {
      subnet = parseSubnet(req.subnet);
      if (subnet.prefix > 30) throw invalid(`invalid subnet ${req.subnet}: a /30 or larger is needed (network, gateway, broadcast and one container)`);
      const clash = taken.find((t) => overlaps(t.subnet, subnet));
      if (clash) {
        const code = clash.what.startsWith('network') ? 'ALREADY_EXISTS' : 'INVALID_ARGUMENT';
        throw new TdockerError(code, `subnet ${formatSubnet(subnet)} overlaps ${clash.what} (${formatSubnet(clash.subnet)})`);
      }
    } else {
      subnet = name === DEFAULT_NETWORK ? this.freeDefaultSubnet(taken) : this.freeSubnet(taken);
    }
    let gateway = subnet.base + 1;
    if (req.gateway) {
      gateway = parseIp(req.gateway);
      if (!contains(subnet, gateway) || gateway === subnet.base || gateway === subnet.base + 2 ** (32 - subnet.prefix) - 1) {
        throw invalid(`invalid gateway ${req.gateway}: not a host address of ${formatSubnet(subnet)}`);
      }
    }
    const id = randomBytes(32).toString('hex');
    const r: NetworkRecord = {
      version: 1, id, name, driver: 'bridge', subnet: formatSubnet(subnet), gateway: formatIp(gateway),
      bridge: this.names.bridge(id), created: new Date().toISOString(), labels: req.labels ?? {},
      ipam: { allocations: {}, cursor: gateway }, endpoints: {},
    };
    this.store.save(r);
    this.networks.set(id, r);
    return r;
  }

  private freeDefaultSubnet(taken: { subnet: Subnet }[]): Subnet {
    for (let b = DEFAULT_POOL.first; b <= DEFAULT_POOL.last; b += 2 ** (32 - DEFAULT_POOL.prefix)) {
      const s = { base: b, prefix: DEFAULT_POOL.prefix };
      if (!taken.some((t) => overlaps(t.subnet, s))) return s;
    }
    return this.freeSubnet(taken);
  }

  private freeSubnet(taken: { subnet: Subnet }[]): Subnet {
    for (let b = POOL.base; b < POOL.base + 2 ** (32 - POOL.prefix); b += 256) {
      const s = { base: b, prefix: 24 };
      if (!taken.some((t) => overlaps(t.subnet, s))) return s;
    }
    throw new TdockerError('RESOURCE_EXHAUSTED', `no free /24 left in ${formatSubnet(POOL)}: give --subnet`);
  }

  private async takenSubnets(): Promise<{ subnet: Subnet; what: string }[]> {
    const out: { subnet: Subnet; what: string }[] = [];
    for (const n of this.networks.values()) if (n.subnet) out.push({ subnet: parseSubnet(n.subnet), what: `network ${n.name}` });
    for (const r of await routeDestinations()) {
      const dst = r.dst.includes('/') ? r.dst : `${r.dst}/32`;
      try {
        out.push({ subnet: parseSubnet(dst), what: `the host route ${r.dst}${r.dev ? ` dev ${r.dev}` : ''}` });
      } catch { /* not IPv4 CIDR */ }
    }
    return out;
  }

  /** host and none always exist (as records without devices); the default bridge on first use. */
  private ensureBuiltIns(): void {
    for (const driver of ['host', 'none'] as const) {
      if ([...this.networks.values()].some((n) => n.name === driver)) continue;
      const r: NetworkRecord = {
        version: 1, id: randomBytes(32).toString('hex'), name: driver, driver, subnet: '', gateway: '', bridge: '',
        created: new Date().toISOString(), labels: {}, ipam: { allocations: {}, cursor: 0 }, endpoints: {},
      };
      this.store.save(r);
      this.networks.set(r.id, r);
    }
  }

  private defaultNetwork: Promise<NetworkRecord> | undefined;

  private async resolveForConnect(ref: string): Promise<NetworkRecord> {
    if (ref === DEFAULT_NETWORK && ![...this.networks.values()].some((n) => n.name === DEFAULT_NETWORK)) {
      this.defaultNetwork ??= this.createBridge(DEFAULT_NETWORK, {}).finally(() => { this.defaultNetwork = undefined; });
      return this.defaultNetwork;
    }
    const n = this.get(ref);
    if (n.driver !== 'bridge') throw invalid(`network ${n.name} has no addresses to connect to: use --network ${n.name} as a mode`);
    return n;
  }

  /**
   * The bridge is made again (first use after a restart): its subnet may have been taken by a
   * route meanwhile (another daemon's bridge). The default network, holding no address, moves to
   * a free subnet; any other network is refused rather than shadowing the route.
   */
  private async checkStillFree(n: NetworkRecord): Promise<void> {
    const mine = parseSubnet(n.subnet);
    const others = (await this.takenSubnets()).filter((t) => t.what !== `network ${n.name}`);
    const clash = others.find((t) => overlaps(t.subnet, mine));
    if (!clash) return;
    if (n.name !== DEFAULT_NETWORK || Object.keys(n.ipam.allocations).length) {
      throw precondition(`the subnet ${n.subnet} of network ${n.name} now overlaps ${clash.what}`);
    }
    const subnet = this.freeDefaultSubnet(others);
    n.subnet = formatSubnet(subnet);
    n.gateway = formatIp(subnet.base + 1);
    n.ipam = { allocations: {}, cursor: subnet.base + 1 };
    this.store.save(n);
  }

  private ensureBridgeUp(n: NetworkRecord): Promise<void> {
    let p = this.bridgesUp.get(n.id);
    if (!p) {
      p = (async () => {
        if (existsSync(`/sys/class/net/${n.bridge}`)) return;
        await this.checkStillFree(n);
        const prefix = n.subnet.split('/')[1];
        await this.shell.run(`ip link add ${n.bridge} type bridge && ip addr add ${n.gateway}/${prefix} dev ${n.bridge} && ip link set ${n.bridge} up`);
      })();
      p.catch(() => this.bridgesUp.delete(n.id));
      this.bridgesUp.set(n.id, p);
    }
    return p;
  }

  // ---- containers -----------------------------------------------------------------------------

  /**
   * Puts a container on its network: an address (kept until `release`), a namespace file with
   * lo and eth0 up and a default route via the gateway, its etc files, and its published ports.
   * On failure, whatever it made is undone (the address stays allocated to the container).
   */
  async connect(req: ConnectRequest): Promise<Connected> {
    const n = await this.resolveForConnect(req.attachment.network);
    await this.ensureBridgeUp(n);
    const ipam = new Ipam(parseSubnet(n.subnet), parseIp(n.gateway), n.ipam);
    const address = ipam.allocate(req.containerId, req.attachment.ip);
    const veth = this.names.veth(req.containerId);
    const ep: EndpointRecord = {
      containerId: req.containerId, name: req.name, hostname: req.hostname, ip: address, hostDevice: veth,
      containerDir: req.containerDir, extraHosts: req.attachment.extraHosts, up: false,
    };
    n.endpoints[req.containerId] = ep;
    this.store.save(n);
    const netns = netnsPath(this.opts.runRoot, req.containerId);
    const files = etcFilePaths(req.containerDir);
    try {
      // A namespace a crashed daemon (or the last run) left for this container is replaced.
      await this.teardown(req.containerId, veth, true);
      const prefix = n.subnet.split('/')[1];
      mkdirSync(dirname(netns), { recursive: true, mode: 0o700 });
      closeSync(openSync(netns, 'w', 0o600));
      // One script: the namespace made and bound to its file by unshare, configured from inside
      // (eth0 made there, its peer put into the daemon's namespace), then the peer onto the bridge.
      await this.shell.run([
        `unshare --net=${sq(netns)} ip -batch - <<'EOF'`,
        `link add eth0 type veth peer name ${veth} netns ${process.pid}`,
        'link set lo up',
        `addr add ${address}/${prefix} dev eth0`,
        'link set eth0 up',
        `route add default via ${n.gateway} dev eth0 onlink`,
        'EOF',
        `ip link set ${veth} master ${n.bridge} up`,
      ].join('\n'));
      writeInPlace(files.hostname, `${req.hostname}\n`);
      writeInPlace(files.resolvConf, renderResolvConf(req.attachment.dns, false));
      await this.openPorts(req.containerId, address, req.attachment.ports);
      ep.published = this.published(req.containerId).map((p) => ({ ...p.mapping, hostPort: p.hostPort }));
      ep.up = true;
      this.store.save(n);
    } catch (e) {
      await this.teardown(req.containerId, veth).catch(() => {});
      ep.up = false;
      this.store.save(n);
      throw e;
    }
    await this.refreshHosts(n, ep);
    this.emit('connect', n, ep);
    return { netns, ip: address, files };
  }

  /** The container's namespace, veth and proxies go; it keeps its address. Idempotent. */
  async disconnect(containerId: string): Promise<void> {
    const n = this.networkOf(containerId);
    await this.teardown(containerId, this.names.veth(containerId));
    if (!n) return;
    const ep = n.endpoints[containerId]!;
    const wasUp = ep.up;
    ep.up = false;
    delete ep.published;
    this.store.save(n);
    await this.refreshHosts(n);
    if (wasUp) this.emit('disconnect', n, ep);
  }

  /** Removal: disconnect and give the address back. Idempotent. */
  async release(containerId: string): Promise<void> {
    await this.disconnect(containerId);
    const n = this.networkOf(containerId);
    if (!n) return;
    new Ipam(parseSubnet(n.subnet), parseIp(n.gateway), n.ipam).release(containerId);
    delete n.endpoints[containerId];
    this.store.save(n);
  }

  /** Rebinds a running container's published ports, on the host ports they had (after a daemon restart). */
  async reopenPorts(containerId: string, ports: PortMapping[]): Promise<void> {
    const n = this.networkOf(containerId);
    const ep = n?.endpoints[containerId];
    if (!ep?.up || this.proxies.has(containerId)) return;
    await this.openPorts(containerId, ep.ip, ep.published ?? ports);
    // Taken down meanwhile (its exit was being cleaned up): the ports go with it.
    if (!n!.endpoints[containerId]?.up) await this.closePorts(containerId);
  }

  netnsOf(containerId: string): string {
    return netnsPath(this.opts.runRoot, containerId);
  }

  /** The container's published ports as bound now. */
  published(containerId: string): PublishedPort[] {
    return (this.proxies.get(containerId) ?? []).map((p) => ({ mapping: p.mapping, hostIp: p.mapping.hostIp || '0.0.0.0', hostPort: p.hostPort }));
  }

  endpoint(containerId: string): { network: NetworkRecord; endpoint: EndpointRecord } | undefined {
    const n = this.networkOf(containerId);
    return n ? { network: n, endpoint: n.endpoints[containerId]! } : undefined;
  }

  /** A container's name changed: its peers' hosts files follow. */
  async renamed(containerId: string, name: string): Promise<void> {
    const n = this.networkOf(containerId);
    if (!n) return;
    n.endpoints[containerId]!.name = name;
    this.store.save(n);
    await this.refreshHosts(n);
  }

  /**
   * After a restart: devices and namespace files of this daemon that no record explains are
   * removed, and addresses of containers that no longer exist are released.
   */
  async reconcile(liveContainers: Set<string>): Promise<{ removed: string[] }> {
    const removed: string[] = [];
    for (const n of this.networks.values()) {
      for (const cid of Object.keys(n.endpoints)) if (!liveContainers.has(cid)) { await this.release(cid); removed.push(`endpoint ${cid.slice(0, 12)}`); }
    }
    const up = new Set<string>();
    for (const n of this.networks.values()) for (const ep of Object.values(n.endpoints)) if (ep.up) up.add(ep.containerId);
    for (const cid of listNetns(this.opts.runRoot)) {
      if (!up.has(cid)) { removeNetns(netnsPath(this.opts.runRoot, cid)); removed.push(`netns ${cid.slice(0, 12)}`); }
    }
    const vethsUp = new Set([...up].map((c) => this.names.veth(c)));
    const bridges = new Set([...this.networks.values()].map((n) => n.bridge).filter(Boolean));
    for (const dev of await linksWithPrefix(this.names.vethPrefix)) {
      if (!vethsUp.has(dev)) { await ip(['link', 'del', dev]).catch(() => {}); removed.push(dev); }
    }
    for (const dev of await linksWithPrefix(this.names.bridgePrefix)) {
      if (!bridges.has(dev)) { await ip(['link', 'del', dev]).catch(() => {}); removed.push(dev); }
    }
    return { removed };
  }

  /**
   * Stops serving: proxies close; bridges without a live endpoint are taken down (they come back
   * on first use), so a stopped daemon leaves no device behind that nothing uses.
   */
  async close(): Promise<void> {
    for (const cid of [...this.proxies.keys()]) await this.closePorts(cid);
    this.shell.close();
    for (const n of this.networks.values()) {
      if (n.driver !== 'bridge' || Object.values(n.endpoints).some((e) => e.up)) continue;
      await ip(['link', 'del', n.bridge]).catch(() => {});
      this.bridgesUp.delete(n.id);
    }
  }

  // ---- internals ------------------------------------------------------------------------------

  private networkOf(containerId: string): NetworkRecord | undefined {
    return [...this.networks.values()].find((n) => n.endpoints[containerId]);
  }

  /**
   * Ports closed and the namespace file unmounted: with its processes gone the kernel destroys
   * the namespace, and eth0 with its peer on the host, in the background (deleting the veth here
   * would wait for an RCU grace period, ~25 ms). `connect` removes a peer still being destroyed.
   */
  private async teardown(containerId: string, veth: string, sync = false): Promise<void> {
    await this.closePorts(containerId);
    removeNetns(netnsPath(this.opts.runRoot, containerId));
    if (sync && existsSync(`/sys/class/net/${veth}`)) await ip(['link', 'del', veth]).catch(() => {});
  }

  private async openPorts(containerId: string, address: string, ports: PortMapping[]): Promise<void> {
    const opened: Proxy[] = [];
    try {
      for (const m of ports) opened.push(await startProxy(m, address));
    } catch (e) {
      await Promise.all(opened.map((p) => p.close()));
      throw e;
    }
    if (opened.length) this.proxies.set(containerId, opened);
  }

  private async closePorts(containerId: string): Promise<void> {
    const ps = this.proxies.get(containerId);
    this.proxies.delete(containerId);
    if (ps) await Promise.all(ps.map((p) => p.close()));
  }

  /**
   * Every live endpoint's hosts file lists itself and its live peers. On the default network, as
   * in Docker, containers are not reachable by name: only the connecting container's own file
   * is written (no rewrite of every file on a network of thousands).
   */
  private refreshHosts(n: NetworkRecord, only?: EndpointRecord): Promise<void> {
    const byName = n.name !== DEFAULT_NETWORK;
    const run = async () => {
      const live = byName ? Object.values(n.endpoints).filter((e) => e.up) : [];
      for (const ep of byName ? live : only ? [only] : []) {
        const path = etcFilePaths(ep.containerDir).hosts;
        if (!existsSync(ep.containerDir)) continue;
        writeInPlace(path, renderHosts({
          hostname: ep.hostname, ip: ep.ip, name: ep.name, extraHosts: ep.extraHosts,
          peers: live.filter((p) => p !== ep).map((p) => ({ ip: p.ip, names: [p.name, p.containerId.slice(0, 12), ...(p.hostname !== p.name && p.hostname !== p.containerId.slice(0, 12) ? [p.hostname] : [])] })),
        }));
      }
    };
    const p = this.chain.then(run, run);
    this.chain = p.catch(() => {});
    return p;
  }

  private emit(action: NetworkEvent['action'], n: NetworkRecord, ep: EndpointRecord): void {
    try {
      this.onEvent?.({ action, containerId: ep.containerId, containerName: ep.name, network: { id: n.id, name: n.name }, ip: ep.ip });
    } catch { /* a publisher's failure is its own */ }
  }
}
